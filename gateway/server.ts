/**
 * The gateway: the only door for portals. Authenticates the caller, resolves
 * the declared purpose, filters the operation by policy, plans and executes it
 * over the agencies' subgraphs with a signed context, and filters the result
 * per subject before it leaves.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { CryptoKey, KeyObject } from 'jose';
import { clientActors, type Policy } from '../permissions/model.ts';
import { policyDigest } from '../permissions/digest.ts';
import { readSupergraph } from '../schema/compose.ts';
import type { AgencyName, SubgraphName } from '../platform/topology.ts';
import { maskError } from '../platform/mask-error.ts';
import { keepIdleConnections } from '../platform/keep-alive.ts';
import { listen } from '../platform/listen.ts';
import { AuthenticationError, authenticate, type TokenKey } from './auth/authenticate.ts';
import type { ClaimMapping } from './auth/identity-claims.ts';
import type { SenderKey } from '../platform/message-signing.ts';
import type { GatewayContext } from './context.ts';
import { enforcementPlugin } from './enforcement/plugin.ts';
import { plannedGateway } from './enforcement/planned-gateway.ts';
import { representedLookup } from './enforcement/represented.ts';
import { consentedLookup, operationSubjects } from './enforcement/consented.ts';
import { rootSubjectOf } from '../permissions/subjects.ts';
import { RequestRefused, resolvePurpose } from './enforcement/request-purpose.ts';
import { devTokenRoute } from './dev-token-route.ts';
import { mountPortalRoutes } from './portal-routes.ts';
import { mountConsentRoutes } from './consent-routes.ts';
import { mountDataExport } from './data-export.ts';
import { today } from '../platform/clock.ts';
import { sendGraphQLError } from './http-errors.ts';
import { SignedSubgraphSource } from './subgraph-source.ts';
import { subgraphFetcher } from './subgraph-fetcher.ts';
import { startAudit, type GatewayAudit } from './audit/gateway-audit.ts';
import type { CheckpointOptions } from './audit/checkpointer.ts';
import { formatVerifierKey } from '../platform/tlog/note.ts';
import type { ContextSigningKey } from '../platform/context-token.ts';
import { gatewayHardening } from './hardening/index.ts';
import { DEFAULT_RESILIENCE, DEFAULT_TOKEN_LIFETIMES, type HardeningConfig, type ResilienceConfig, type TokenLifetimes } from '../platform/config.ts';
import { metricsRoute } from '../platform/metrics.ts';
import { httpRefusalObserver, requestObserver } from '../platform/request-observer.ts';
import { jsonErrors, jsonNotFound } from '../platform/json-errors.ts';

export interface GatewayOptions {
  port: number;
  host?: string;
  policy: Policy;
  /** Transparency may be left out (gateways started without it use the supergraph's URL for it). */
  subgraphUrls: Record<AgencyName, string> & Partial<Record<SubgraphName, string>>;
  /** Signs the context sent to subgraphs (Ed25519 private key). */
  contextSigningKey: CryptoKey | KeyObject;
  auth: { key: TokenKey; issuer: string; audience: string; claims?: ClaimMapping };
  /** The development identity provider's token shortcut, served at POST /dev/token. Present only outside production. */
  devTokenUrl?: string;
  /** Public keys of the agencies that sign messages to people, published to the portal. */
  messageSenders?: SenderKey[];
  /** Reject whole operations with any denied field, unless a request asks otherwise. */
  strictByDefault?: boolean;
  /** Turn off purpose enforcement (benchmarks only, to measure its cost). */
  enforcement?: boolean;
  /** The audit store (application role); without it nothing is audited (benchmarks only). With `checkpoints`, the log is checkpointed and witnessed. */
  audit?: { databaseUrl: string; checkpoints?: CheckpointOptions };
  /** Operation limits, introspection, safelists (default: system/config.ts defaults for NODE_ENV). */
  hardening?: HardeningConfig;
  /** Per-subgraph timeout and circuit breaker. */
  resilience?: ResilienceConfig;
  /** Longest token lifetime per actor kind of the token's client (default: an hour for all). */
  tokenLifetimes?: TokenLifetimes;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Signs subgraph contexts with this key from now on (the subgraphs must already hold its public half). */
  rotateContextKey(key: CryptoKey | KeyObject): void;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POSTs, never revalidated: no ETag hashing of every body (static pages get theirs from express.static).
  app.set('etag', false);
  const httpServer = createServer(app);
  keepIdleConnections(httpServer);
  const hardening = gatewayHardening(options.hardening);
  // The audit record is built from the enforcement walk (which fields of whom survive): no audit without it.
  if (options.audit && options.enforcement === false) throw new Error('the audit needs purpose enforcement on');
  const audit: GatewayAudit | undefined = options.audit ? await startAudit(options.policy, readSupergraph(), options.audit.databaseUrl, options.audit.checkpoints) : undefined;
  const sources: SignedSubgraphSource[] = [];
  // One holder read by every signer, so a rotation reaches them all at once without a restart.
  const contextKey: ContextSigningKey = { current: options.contextSigningKey };
  const resilience = options.resilience ?? DEFAULT_RESILIENCE;
  const fetcher = subgraphFetcher({ timeoutMs: resilience.timeoutMs });
  const gateway = new ApolloGateway({
    supergraphSdl: readSupergraph(),
    buildService: ({ name, url }) => {
      const source = new SignedSubgraphSource({ name, url: options.subgraphUrls[name as SubgraphName] ?? url! }, contextKey, fetcher, resilience, policyDigest(options.policy));
      sources.push(source);
      return source;
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway: plannedGateway(gateway),
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
    ...hardening.apollo,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Personal data is never cacheable: no cache-control hints to gather from every subgraph answer.
      ApolloServerPluginCacheControlDisabled(),
      requestObserver<GatewayContext>('gateway'),
      ...hardening.apollo.plugins,
      ...(options.enforcement === false ? [] : [enforcementPlugin({ policy: options.policy, auditor: audit?.auditor })]),
    ],
  });
  await apollo.start();

  const represented = representedLookup(() => options.subgraphUrls.family, contextKey, policyDigest(options.policy));
  const consented = consentedLookup({
    policy: options.policy,
    policyDigest: policyDigest(options.policy),
    // As the planner does for a gateway started without it: the supergraph's URL.
    transparencyUrl: () => options.subgraphUrls.transparency ?? /@join__graph\(name: "transparency", url: "([^"]+)"\)/.exec(readSupergraph())?.[1] ?? '',
    identityUrl: () => options.subgraphUrls.identity,
    key: contextKey,
  });

  app.get('/health', (_req, res) => res.json({ status: 'ok', service: 'gateway' }));
  app.get('/metrics', metricsRoute);
  app.get('/ready', async (_req, res) => {
    const checks = await Promise.all(
      Object.entries(options.subgraphUrls).map(async ([name, url]) => {
        const ok = await fetch(url.replace(/\/graphql$/, '/ready'), { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
        return [name, ok ? 'ready' : 'unavailable'] as const;
      }),
    );
    // Personal data is refused while audit records go unwitnessed too long: not ready for it either.
    const witnessing = audit?.checkpointer ? (audit.checkpointer.mayServe() ? 'witnessed' : 'unwitnessed') : undefined;
    const ready = checks.every(([, state]) => state === 'ready') && witnessing !== 'unwitnessed';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'degraded', subgraphs: Object.fromEntries(checks), ...(witnessing ? { audit: witnessing } : {}) });
  });
  if (options.devTokenUrl) app.post('/dev/token', express.json({ limit: '10kb' }), devTokenRoute(options.devTokenUrl));

  // An unknown client or actor kind gets the shortest lifetime of all (it is refused later anyway).
  const lifetimes = options.tokenLifetimes ?? DEFAULT_TOKEN_LIFETIMES;
  const shortest = Math.min(...Object.values(lifetimes));
  const lifetimeOf = (client: string) => {
    if (!Object.hasOwn(options.policy.clients, client)) return shortest;
    // A client for several kinds of actor (the development explorer) gets the shortest of their lifetimes.
    return Math.min(...clientActors(options.policy.clients[client]!).map((kind) => lifetimes[kind] ?? shortest));
  };
  const tokenChecks = { ...options.auth, maxLifetimeSeconds: lifetimeOf };
  const authenticateRequest = async (req: Request, res: Response, next: NextFunction) => {
    let identity: Awaited<ReturnType<typeof authenticate>> | undefined;
    try {
      identity = await authenticate(req.header('authorization'), options.auth.key, tokenChecks);
      const declared = resolvePurpose(options.policy, identity, req.header('x-purpose'), req.header('x-case-ref'));
      const requestIdHeader = req.header('x-request-id');
      const requestId = requestIdHeader && REQUEST_ID.test(requestIdHeader) ? requestIdHeader : randomUUID();
      res.setHeader('x-request-id', requestId);
      if (declared.needsRepresentedLookup) {
        // Without the family register we cannot know whom the actor represents: fail closed (only their own data).
        declared.scope.represented = await represented(identity.sub, requestId).catch(() => []);
      }
      if (options.policy.purposes[declared.purpose]!.subjects.includes('consented')) {
        const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
        const named = operationSubjects(body?.query, body?.operationName, body?.variables, (field, args) => {
          const subject = rootSubjectOf(options.policy, `Query.${field}`);
          return typeof subject === 'object' && 'argument' in subject ? args[subject.argument] : undefined;
        });
        const live = await consented(identity.client, declared.purpose, named, requestId).catch(() => undefined);
        // Without the consent records nothing is known to be live: nobody is reached, and the partner is told to retry
        // (not that the people withdrew).
        if (!live) return sendGraphQLError(res, 503, 'SUBGRAPH_UNAVAILABLE', 'the consent records cannot be read right now; try again shortly');
        declared.scope.consented = live;
      }
      const context: GatewayContext = {
        caller: { actor: identity.sub, client: identity.client, purpose: declared.purpose, acr: identity.acr, caseRef: declared.caseRef, requestId, scope: declared.scope },
        strict: req.header('x-policy-mode') === 'strict' || (options.strictByDefault === true && req.header('x-policy-mode') !== 'lenient'),
      };
      res.locals.context = context;
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) return sendGraphQLError(res, 401, 'UNAUTHENTICATED', error.message);
      if (error instanceof RequestRefused) {
        // A known actor refused before any data is looked at is still an attempt: recorded as denied.
        if (identity && audit) await audit.refusal(identity, req, error.code);
        return sendGraphQLError(res, error.status, error.code, error.message);
      }
      next(error);
    }
  };

  app.use(
    '/graphql',
    httpRefusalObserver('gateway'),
    ...hardening.beforeAuth,
    authenticateRequest,
    ...hardening.afterAuth,
    expressMiddleware(apollo, { context: async ({ res }) => res.locals.context as GatewayContext }),
  );
  // The public keys a citizen's proof is checked against (the portal's "check this entry"; anyone may compare them with
  // what the witnesses' operators publish).
  app.get('/audit/witnesses', (_req, res) => {
    const checkpoints = options.audit?.checkpoints;
    res.json({
      log: checkpoints ? formatVerifierKey(checkpoints.signer) : null,
      witnesses: (checkpoints?.witnesses ?? []).map((w) => formatVerifierKey(w.verifier)),
      quorum: checkpoints?.quorum ?? 0,
    });
  });
  // The citizen's own data as a file, through this gateway's own /graphql (judged and audited like any read).
  const self: { url?: string } = {};
  mountDataExport(app, () => self.url, today);
  // What a partner's redirect to the consent page asks for (before the person signs in).
  mountConsentRoutes(app, options.policy);
  // The portal, privacy console and explorer pages, and the policy views they read.
  mountPortalRoutes(app, { policy: options.policy, auth: options.auth, dev: options.devTokenUrl !== undefined, messageSenders: options.messageSenders ?? [] });
  // Unknown paths, malformed JSON, oversized bodies and anything unexpected: a coded JSON error, never an HTML page or a stack trace.
  app.use(jsonNotFound);
  app.use(jsonErrors);

  const close = async () => {
    await apollo.stop();
    for (const source of sources) source.circuit.shutdown();
    await fetcher.close();
    await audit?.close();
  };
  let port: number;
  try {
    port = await listen(httpServer, options.port, options.host ?? '127.0.0.1', 'GATEWAY_PORT');
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  const selfHost = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  self.url = `http://${selfHost.includes(':') ? `[${selfHost}]` : selfHost}:${port}/graphql`;
  return { url: `http://localhost:${port}/graphql`, port, close, rotateContextKey: (key) => void (contextKey.current = key) };
}
