/**
 * Verifies the bearer token: signature (JWKS in production, the dev issuer's
 * key otherwise), issuer, audience, expiry, and the claims the graph relies on.
 */
import { createRemoteJWKSet, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
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

export async function authenticate(
  authorization: string | undefined,
  key: TokenKey,
  expected: { issuer: string; audience: string },
): Promise<Identity> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
  if (!match) throw new AuthenticationError('send a token as "Authorization: Bearer <JWT>"');
  let payload;
  try {
    // An explicit algorithm list: `alg: none` and HMAC-with-public-key tricks are refused here.
    ({ payload } = await jwtVerify(match[1]!, key as CryptoKey, { ...expected, algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'] }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AuthenticationError(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid');
  }
  const { sub, client_id: client, acr } = payload as { sub?: unknown; client_id?: unknown; acr?: unknown };
  if (typeof sub !== 'string' || !sub || typeof client !== 'string' || !client) {
    throw new AuthenticationError('the token lacks sub or client_id');
  }
  const level = typeof acr === 'string' && (ACR_LEVELS as readonly string[]).includes(acr) ? (acr as Acr) : 'low';
  return { sub, client, acr: level };
}
