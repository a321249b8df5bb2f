/**
 * The development identity provider as a service: oidc-provider behind its
 * own HTTP port, with the persona login page, the dev token shortcut
 * (POST /dev/token) and signing-key rotation while it runs. `npm start` runs
 * it beside the gateway; `npm run start:identity-provider` runs it alone.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express, { type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { keepIdleConnections } from '../platform/keep-alive.ts';
import { listen } from '../platform/listen.ts';
import { jsonErrors, jsonNotFound } from '../platform/json-errors.ts';
import { AMR_FOR_LEVEL, ASSURANCE_LEVELS, devPersonas, findAccount, isAssuranceLevel } from './accounts.ts';
import { loadDevClients, type DevClient } from './clients.ts';
import { newKeyRing, rotated, saveKeyRing, type KeyRing } from './keys.ts';
import { loginPage, pickLanguage } from './login-page.ts';
import { createProvider, mintAccessToken, MintRefused, type MintRequest, type ProviderSettings } from './provider.ts';

export const DEFAULT_IDENTITY_PROVIDER_PORT = 4020;
export const TOKEN_AUDIENCE = 'citizen-graph';

export interface IdentityProviderOptions {
  port?: number;
  host?: string;
  /** Default: http://localhost:<port> (the port it got, with 0). */
  issuer?: string;
  audience?: string;
  clients?: DevClient[];
  /** The signing keys; a fresh ring when absent. With `keyFile`, every rotation is saved there. */
  keys?: KeyRing;
  keyFile?: string;
  accessTokenSeconds?: number;
}

export interface RunningIdentityProvider {
  issuer: string;
  url: string;
  port: number;
  /** The dev shortcut, in process (tests, benchmarks): what POST /dev/token answers, and for subjects it does not know (staff by default). */
  issue(request: MintRequest): Promise<string>;
  /** Makes the next key current, keeps the current one published for the tokens it signed; no restart. */
  rotateSigningKey(): Promise<void>;
  keys(): KeyRing;
  close(): Promise<void>;
}

function badInput(res: Response, message: string) {
  res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
}

export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<RunningIdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const server = createServer(app);
  keepIdleConnections(server);
  // The issuer names the port, so it is known only once the server listens (port 0 in tests).
  const port = await listen(server, options.port ?? DEFAULT_IDENTITY_PROVIDER_PORT, host, 'IDENTITY_PROVIDER_PORT');
  const issuer = options.issuer ?? `http://localhost:${port}`;
  let ring = options.keys ?? (await newKeyRing());
  const settings = (): ProviderSettings => ({
    issuer,
    audience: options.audience ?? TOKEN_AUDIENCE,
    clients: options.clients ?? loadDevClients(),
    keys: ring,
    cookieKeys,
    accessTokenSeconds: options.accessTokenSeconds,
  });
  // Sessions and interactions outlive a rotation: same cookie keys, and oidc-provider's memory store is shared by its instances.
  const cookieKeys = [randomBytes(32).toString('base64url')];
  let provider: Provider = await createProvider(settings());
  let handle = provider.callback();

  app.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const level = isAssuranceLevel(details.params.acr_values) ? details.params.acr_values : 'substantial';
      res.setHeader('cache-control', 'no-store');
      res.type('html').send(loginPage({ uid: details.uid, client: String(details.params.client_id), personas: devPersonas(), level, language: pickLanguage(details.params.ui_locales), problem: req.query.problem === '1' }));
    } catch (error) {
      next(error);
    }
  });
  app.post('/interaction/:uid/login', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const body = req.body as { persona?: unknown; personal_code?: unknown; acr?: unknown };
      const id = typeof body.persona === 'string' && body.persona ? body.persona : typeof body.personal_code === 'string' ? body.personal_code.trim() : '';
      const account = findAccount(id);
      if (!account) return res.redirect(303, `/interaction/${encodeURIComponent(details.uid)}?problem=1`);
      const acr = isAssuranceLevel(body.acr) ? body.acr : 'substantial';
      await provider.interactionFinished(req, res, { login: { accountId: account.id, acr, amr: AMR_FOR_LEVEL[acr] } }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });
  app.post('/interaction/:uid/abort', async (req, res, next) => {
    try {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the person cancelled the sign-in' }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });
  // The dev shortcut: {"sub", "client", "acr"?} -> {"token"}, for scripts, tests and the README (through the gateway's /dev/token).
  app.post('/dev/token', express.json({ limit: '10kb' }), async (req: Request, res: Response, next) => {
    const { sub, client, acr } = (req.body ?? {}) as { sub?: unknown; client?: unknown; acr?: unknown };
    if (typeof sub !== 'string') return badInput(res, '"sub" must be a demo persona id, a valid personal code, or a service client\'s own id');
    if (typeof client !== 'string') return badInput(res, `"client" must be one of: ${settings().clients.map((c) => c.id).join(', ')}`);
    if (acr !== undefined && !isAssuranceLevel(acr)) return badInput(res, `"acr" must be one of: ${ASSURANCE_LEVELS.join(', ')}`);
    try {
      res.json({ token: await mintAccessToken(provider, settings(), { sub, client, acr }) });
    } catch (error) {
      if (error instanceof MintRefused) return badInput(res, error.message);
      next(error);
    }
  });
  // Everything else is the OpenID provider itself (discovery, JWKS, authorize, token, end_session, …).
  app.use((req: IncomingMessage, res: ServerResponse) => void handle(req, res));
  app.use(jsonNotFound);
  app.use(jsonErrors);

  return {
    issuer,
    url: issuer,
    port,
    issue: (request) => mintAccessToken(provider, settings(), request, true),
    async rotateSigningKey() {
      ring = await rotated(ring);
      if (options.keyFile) saveKeyRing(options.keyFile, ring);
      // A new instance with the new key set; requests already in flight finish on the old one.
      provider = await createProvider(settings());
      handle = provider.callback();
    },
    keys: () => ring,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
