/**
 * The one subgraph server every agency runs: its schema under graphql-shield,
 * its operations compiled (graphql-jit), its loaders per request, the
 * gateway's signed context verified on every operation, /health and /ready,
 * and nothing internal in errors to clients.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import type { CryptoKey, KeyObject } from 'jose';
import { agencySchemaPath } from '../folders.ts';
import type { Policy } from '../../permissions/model.ts';
import type { Agency, SubgraphContext } from './agency.ts';
import { bodyDigest, CONTEXT_HEADER, ContextTokenError, replayGuard, verifyContext, type CallerContext } from '../../platform/context-token.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { openDatabase, type Database } from '../../platform/database.ts';
import { keepIdleConnections } from '../../platform/keep-alive.ts';
import { listen } from '../../platform/listen.ts';
import { maskError } from '../../platform/mask-error.ts';
import { unauthenticated } from '../../platform/errors.ts';
import { shieldSchema } from './shield.ts';
import { compiledExecution } from './compiled-execution.ts';
import type { MessageSigner } from '../../platform/message-signing.ts';
import { metricsRoute } from '../../platform/metrics.ts';
import { requestObserver } from '../../platform/request-observer.ts';
import { jsonErrors, jsonNotFound } from '../../platform/json-errors.ts';
import type { LifeEventKeys } from '../../platform/life-event-attestation.ts';

export interface SubgraphOptions {
  port: number;
  host?: string;
  databaseUrl: string;
  policy: Policy;
  /** The gateway's public key for the signed context. */
  /** The gateway's public keys (the current one, and the next during a rotation), chosen by the token's kid. */
  contextKey: CryptoKey | KeyObject | readonly (CryptoKey | KeyObject)[];
  /** Require each context token to be bound to its call, used once, under this policy (default; benchmarks turn it off for peers that forward one token). */
  contextBinding?: boolean;
  /** Turn off the shield (benchmarks only, to measure its cost). */
  shield?: boolean;
  /**
   * Benchmarks only ("plain subgraphs", what a team without this project's security runs): take every
   * request as this caller, with no context token at all. Unset (the default) every call is verified;
   * nothing in system/ or the configuration sets it, and it is refused unless NODE_ENV is development or test.
   */
  unverifiedCaller?: CallerContext;
  /** How operations run: compiled by graphql-jit (default; see compiled-execution.ts), or walked by graphql-js. */
  execution?: 'compiled' | 'graphql-js';
  /** Life-event keys: the identity subgraph's signer, the family subgraph's verifier; none elsewhere. */
  lifeEvents?: LifeEventKeys;
  maxConnections?: number;
  /** Signs the messages this agency sends people (see platform/message-signing.ts). */
  messageSigner?: MessageSigner;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  db: Database;
  close(): Promise<void>;
}

export function buildAgencySchema<L>(agency: Agency<L>, policy: Policy, withShield = true) {
  const typeDefs = parse(readFileSync(agencySchemaPath(agency.name), 'utf8'));
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: agency.resolvers }]);
  return withShield ? shieldSchema(schema, policy) : schema;
}

export async function startSubgraph<L>(agency: Agency<L>, options: SubgraphOptions): Promise<RunningService> {
  // What benchmarks turn off, only where NODE_ENV says development or test (unset counts as development): any other
  // value (production, Production, prod, staging) keeps every check, so a mistyped environment never weakens one.
  const weakened = [options.unverifiedCaller && 'unverifiedCaller', options.shield === false && 'shield: false', options.contextBinding === false && 'contextBinding: false'].filter(Boolean);
  if (weakened.length && !['', 'development', 'test'].includes(process.env.NODE_ENV ?? '')) {
    throw new Error(`${weakened.join(', ')} is for benchmarks and tests: a subgraph under NODE_ENV=${process.env.NODE_ENV} verifies every call`);
  }
  agency.checkAtStart?.();
  const db = openDatabase(agency.name, options.databaseUrl, options.maxConnections);
  const ownPolicy = policyDigest(options.policy);
  const firstUse = replayGuard();
  const lifeEvents = Object.freeze({ ...options.lifeEvents });
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POSTs, never revalidated: no ETag hashing of every body.
  app.set('etag', false);
  const httpServer: Server = createServer(app);
  keepIdleConnections(httpServer);
  // No inline traces: they would send resolver timings to whoever calls, and cost time on every request.
  // No cache-control hints either (nothing here is cacheable): that plugin wraps every field resolver.
  const plugins: ApolloServerPlugin<SubgraphContext<L>>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginCacheControlDisabled(),
    requestObserver<SubgraphContext<L>>(agency.name),
  ];
  const schema = buildAgencySchema(agency, options.policy, options.shield ?? true);
  const apollo = new ApolloServer<SubgraphContext<L>>({
    ...(options.execution === 'graphql-js' ? { schema } : { gateway: compiledExecution(schema, agency.name) }),
    plugins,
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
    // Only the gateway calls a subgraph; the gateway's own limits apply to clients.
    csrfPrevention: true,
  });
  await apollo.start();

  app.get('/health', (_req, res) => res.json({ status: 'ok', service: agency.name }));
  app.get('/metrics', metricsRoute);
  app.get('/ready', async (_req, res) => {
    const ready = await db.ping();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unavailable', service: agency.name });
  });
  // The token binds the body as sent: digested here, from the bytes received, before JSON parses them. Only bytes
  // read as the gateway wrote them count: a POST (a GET runs the operation in its URL, not its body) in UTF-8 (the
  // charset the gateway sends: UTF-7 reads other text from the very same bytes). Anything else has no digest, so
  // its token is refused as another call's.
  const receivedDigests = new WeakMap<IncomingMessage, string>();
  const bind = options.contextBinding !== false;
  const digestIfReadAsSent = (req: IncomingMessage, _res: unknown, bytes: Buffer, encoding: string) => {
    if (req.method === 'POST' && encoding === 'utf-8') receivedDigests.set(req, bodyDigest(bytes));
  };
  app.use(
    '/graphql',
    express.json({ limit: '2mb', ...(bind && { verify: digestIfReadAsSent }) }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const expected = bind ? { bodyDigest: receivedDigests.get(req) ?? '', policyDigest: ownPolicy, firstUse } : undefined;
          const caller = options.unverifiedCaller ?? verifyContext(req.header(CONTEXT_HEADER), agency.name, options.contextKey, expected);
          return { caller, policy: options.policy, db, loaders: agency.createLoaders(db), lifeEvents, messageSigner: options.messageSigner };
        } catch (error) {
          if (error instanceof ContextTokenError) {
            throw unauthenticated(`${agency.name} subgraph accepts only requests signed by the gateway (context token ${error.reason})`);
          }
          throw error;
        }
      },
    }),
  );

  // JSON for every error and unknown path, never Express's HTML pages.
  app.use(jsonNotFound);
  app.use(jsonErrors);

  // Idempotent: a test that stops an agency mid-run and the system's own shutdown both close it.
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await apollo.stop();
      await db.close();
    })());
  let port: number;
  try {
    port = await listen(httpServer, options.port, options.host ?? '127.0.0.1', `SUBGRAPH_PORT_${agency.name.toUpperCase()}`);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { name: agency.name, url: `http://127.0.0.1:${port}/graphql`, port, db, close };
}
