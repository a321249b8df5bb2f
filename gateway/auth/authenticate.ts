/**
 * Verifies the bearer token: signature (JWKS in production, the dev issuer's
 * key otherwise), issuer, audience, expiry, and the claims the graph relies on.
 */
import { createRemoteJWKSet, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { ACR_LEVELS, type Acr } from '../../permissions/model.ts';

export interface Identity {
  sub: string;
  client: string;
  acr: Acr;
}

export type TokenKey = CryptoKey | JWTVerifyGetKey;

export class AuthenticationError extends Error {}

export function remoteKeySet(jwksUrl: string): TokenKey {
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
}

/**
 * A portal sends the same token with every request of a session: a token
 * verified once is remembered (by its exact text) until it expires, for a
 * minute at most, so a signature is checked once per token, not per request.
 * Only successes are remembered; a changed byte is a different token.
 */
const VERIFIED_FOR_MS = 60_000;
const verifiedTokens = new WeakMap<object, LRUCache<string, Identity>>();

/** One cache per key; its entries are keyed by issuer and audience too, so a token verified for one audience is never taken for another. */
function verifiedCache(key: TokenKey): LRUCache<string, Identity> {
  let cache = verifiedTokens.get(key);
  if (!cache) verifiedTokens.set(key, (cache = new LRUCache<string, Identity>({ max: 10_000, ttl: VERIFIED_FOR_MS })));
  return cache;
}

export async function authenticate(
  authorization: string | undefined,
  key: TokenKey,
  expected: { issuer: string; audience: string },
): Promise<Identity> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
  if (!match) throw new AuthenticationError('send a token as "Authorization: Bearer <JWT>"');
  const token = match[1]!;
  const cache = verifiedCache(key);
  const cacheKey = `${expected.issuer}\u0000${expected.audience}\u0000${token}`;
  const known = cache.get(cacheKey);
  if (known) return known;
  let payload;
  try {
    // An explicit algorithm list: `alg: none` and HMAC-with-public-key tricks are refused here.
    ({ payload } = await jwtVerify(token, key as CryptoKey, { ...expected, algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'] }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AuthenticationError(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid');
  }
  const { sub, client_id: client, acr } = payload as { sub?: unknown; client_id?: unknown; acr?: unknown };
  if (typeof sub !== 'string' || !sub || typeof client !== 'string' || !client) {
    throw new AuthenticationError('the token lacks sub or client_id');
  }
  const level = typeof acr === 'string' && (ACR_LEVELS as readonly string[]).includes(acr) ? (acr as Acr) : 'low';
  const identity: Identity = Object.freeze({ sub, client, acr: level });
  // Remembered no longer than the token is valid; a token without `exp` is verified every time.
  const expiresInMs = typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : 0;
  if (expiresInMs > 0) cache.set(cacheKey, identity, { ttl: Math.min(VERIFIED_FOR_MS, expiresInMs) });
  return identity;
}
