/**
 * The development clients (clients.yaml): read and checked once, turned into
 * oidc-provider client metadata, and looked up by the services that sign in
 * with their own entry in development.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

export const CLIENTS_PATH = fileURLToPath(new URL('./clients.yaml', import.meta.url));

/** Where a browser client's pages receive the authorization code and return after logout (on the gateway's origin). */
export const CALLBACK_PATH = '/oidc/callback';
export const SIGNED_OUT_PATHS = ['/', '/console', '/explorer'];

const publicJwk = z.looseObject({ kty: z.string(), kid: z.string() }).refine((jwk) => !('d' in jwk), 'a client\'s jwks holds public keys only');

const clientSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('browser') }),
  z.strictObject({
    kind: z.literal('service'),
    secret: z.string().min(16).optional(),
    jwks: z.strictObject({ keys: z.array(publicJwk).min(1) }).optional(),
  }).refine((c) => c.secret !== undefined || c.jwks !== undefined, 'a service client needs a secret or jwks (private_key_jwt)'),
]);

const fileSchema = z.strictObject({ clients: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), clientSchema) });

export type DevClient = z.infer<typeof clientSchema> & { id: string };

export function loadDevClients(path = CLIENTS_PATH): DevClient[] {
  const parsed = fileSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return Object.entries(parsed.data.clients).map(([id, client]) => ({ id, ...client }));
}

let cached: DevClient[] | undefined;
const devClients = () => (cached ??= loadDevClients());

/** A development service's own credentials (client id and secret) from clients.yaml. */
export function devServiceCredentials(clientId: string): { clientId: string; secret: string } {
  const client = devClients().find((c) => c.id === clientId);
  if (client?.kind !== 'service' || !client.secret) throw new Error(`${clientId} is not a service client with a secret in ${CLIENTS_PATH}`);
  return { clientId, secret: client.secret };
}

/** oidc-provider's metadata for each client (redirect URIs on loopback, any port: see `loopbackRedirectAllowed`). */
export function clientMetadata(clients: DevClient[]): Record<string, unknown>[] {
  return clients.map((client) =>
    client.kind === 'browser'
      ? {
          client_id: client.id,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [`http://localhost${CALLBACK_PATH}`],
          post_logout_redirect_uris: SIGNED_OUT_PATHS.map((p) => `http://localhost${p}`),
        }
      : {
          client_id: client.id,
          ...(client.secret ? { client_secret: client.secret } : {}),
          ...(client.jwks ? { jwks: client.jwks } : {}),
          token_endpoint_auth_method: client.jwks && !client.secret ? 'private_key_jwt' : 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
  );
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * RFC 8252 §7.3: for a loopback redirect the port may vary (the gateway of a
 * test run listens on any free port). Scheme, host kind and path must match a
 * registered URI; nothing but loopback is ever accepted this way.
 */
export function loopbackRedirectAllowed(candidate: string, registered: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname) || url.username || url.password || url.hash) return false;
  return registered.some((r) => {
    const reg = new URL(r);
    return reg.pathname === url.pathname && reg.search === url.search && LOOPBACK.has(reg.hostname);
  });
}

/**
 * The development clients, plus every client of the policy being served that
 * the file lacks (a test's or a benchmark's own policy): machines (services,
 * partners) with a secret made for this run, the others as pages.
 */
export function clientsForPolicy(policyClients: Readonly<Record<string, { actors: string | readonly string[] }>>, base: DevClient[] = devClients()): DevClient[] {
  const known = new Set(base.map((c) => c.id));
  const added = Object.entries(policyClients)
    .filter(([id]) => !known.has(id))
    .map(([id, client]): DevClient =>
      [client.actors].flat().every((a) => a === 'service' || a === 'partner') ? { id, kind: 'service', secret: randomBytes(24).toString('base64url') } : { id, kind: 'browser' },
    );
  return [...base, ...added];
}
