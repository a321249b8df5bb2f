/**
 * Verifies the bearer token: signature (the identity provider's JWKS, found
 * through its discovery document, in development as in production), issuer,
 * audience, times (expiry required, lifetime bounded per client), and the
 * claims the graph relies on.
 */
import { createRemoteJWKSet, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import * as oauth from 'oauth4webapi';
import { AuthenticationError, identityFromClaims, type ClaimMapping, type Identity } from './identity-claims.ts';

export { AuthenticationError, type Identity } from './identity-claims.ts';

export type TokenKey = CryptoKey | JWTVerifyGetKey;

export function remoteKeySet(jwksUrl: string): TokenKey {
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
}

/**
 * The provider's keys as an OpenID relying party finds them: the issuer's
 * discovery document (its `issuer` must be exactly the one configured) names
 * the JWKS, which jose caches and fetches again for a key id it has not seen
 * (at most every 30 s) or after 10 minutes. A provider that rotates keys
 * publishes the next key before signing with it, so no token waits for a
 * fetch. Discovery happens at the first token, and again after a failure,
 * so the gateway may start before its provider.
 */
export function discoveredKeySet(issuer: string, options: { jwksUrl?: string } = {}): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const resolve = () =>
    (keySet ??= (async () => {
      if (options.jwksUrl) return createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
      const url = new URL(issuer);
      const response = await oauth.discoveryRequest(url, { [oauth.allowInsecureRequests]: url.protocol === 'http:', signal: AbortSignal.timeout(5_000) });
      const metadata = await oauth.processDiscoveryResponse(url, response);
      if (!metadata.jwks_uri) throw new Error(`${issuer} publishes no jwks_uri`);
      return createRemoteJWKSet(new URL(metadata.jwks_uri), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    })().catch((error: unknown) => {
      keySet = undefined;
      throw error;
    }));
  return async (header, token) => (await resolve())(header, token);
}

/**
 * A portal sends the same token with every request of a session: a token
 * verified once is remembered (by its exact text) until it expires, for a
 * minute at most, so a signature is checked once per token, not per request.
 * Only successes are remembered; a changed byte is a different token.
 */
const VERIFIED_FOR_MS = 60_000;
interface Verified {
  identity: Identity;
  /** Checked again on every use: gateways sharing a key may bound lifetimes differently. */
  times: { exp: number; iat?: unknown; nbf?: unknown };
}
const verifiedTokens = new WeakMap<object, LRUCache<string, Verified>>();

/** One cache per key; its entries are keyed by issuer and audience too, so a token verified for one audience is never taken for another. */
function verifiedCache(key: TokenKey): LRUCache<string, Verified> {
  let cache = verifiedTokens.get(key);
  if (!cache) verifiedTokens.set(key, (cache = new LRUCache<string, Verified>({ max: 10_000, ttl: VERIFIED_FOR_MS })));
  return cache;
}

/** Clocks of the issuer and the gateway may differ this much. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Without a per-client answer: the shortest default lifetime (platform/config.ts). */
const FALLBACK_MAX_LIFETIME_SECONDS = 3_600;

/**
 * What is wrong with a token's times, or undefined: `exp` is required, `iat`
 * and `nbf` (when present) are numbers not in the future, and the token is
 * valid no longer than `maxLifetimeSeconds` (from `iat`, or from now when it
 * has none). A token for a hundred years is a stolen token for a hundred years.
 */
export function tokenTimeProblem(claims: { exp?: unknown; iat?: unknown; nbf?: unknown }, nowSeconds: number, maxLifetimeSeconds: number): string | undefined {
  const { exp, iat, nbf } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'the token has no expiry (exp)';
  for (const [name, value] of [['iat', iat], ['nbf', nbf]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `the token's ${name} is not a time`;
    if (value > nowSeconds + CLOCK_TOLERANCE_SECONDS) return `the token is not valid yet (${name} is in the future)`;
  }
  const from = typeof iat === 'number' ? iat : nowSeconds;
  if (exp - from > maxLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) return 'the token is valid for longer than tokens of this client may be';
  return undefined;
}

export async function authenticate(
  authorization: string | undefined,
  key: TokenKey,
  expected: { issuer: string; audience: string; maxLifetimeSeconds?: (client: string) => number; claims?: ClaimMapping },
): Promise<Identity> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
  if (!match) throw new AuthenticationError('send a token as "Authorization: Bearer <JWT>"');
  const token = match[1]!;
  const cache = verifiedCache(key);
  const cacheKey = `${expected.issuer}\u0000${expected.audience}\u0000${token}`;
  const maxLifetime = (client: string) => expected.maxLifetimeSeconds?.(client) ?? FALLBACK_MAX_LIFETIME_SECONDS;
  const known = cache.get(cacheKey);
  if (known) {
    const problem = tokenTimeProblem(known.times, Math.floor(Date.now() / 1000), maxLifetime(known.identity.client));
    if (problem) throw new AuthenticationError(problem);
    return known.identity;
  }
  let payload;
  try {
    // An explicit algorithm list: `alg: none` and HMAC-with-public-key tricks are refused here.
    ({ payload } = await jwtVerify(token, key as CryptoKey, { issuer: expected.issuer, audience: expected.audience, algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'] }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AuthenticationError(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid');
  }
  const identity = identityFromClaims(payload, expected.claims);
  const timeProblem = tokenTimeProblem(payload, Math.floor(Date.now() / 1000), maxLifetime(identity.client));
  if (timeProblem) throw new AuthenticationError(timeProblem);
  // Remembered no longer than the token is valid.
  const exp = payload.exp!;
  const expiresInMs = exp * 1000 - Date.now();
  if (expiresInMs > 0) cache.set(cacheKey, { identity, times: { exp, iat: payload.iat, nbf: payload.nbf } }, { ttl: Math.min(VERIFIED_FOR_MS, expiresInMs) });
  return identity;
}
