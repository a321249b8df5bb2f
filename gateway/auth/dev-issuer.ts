/**
 * The development identity provider: signs tokens for demo personas so that a
 * newcomer can try the graph without an OIDC server. Never used in production
 * (config refuses to start without a real issuer there).
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { Acr } from '../../permissions/model.ts';

export const DEV_ISSUER = 'citizen-graph-dev-issuer';
export const TOKEN_AUDIENCE = 'citizen-graph';

export interface DevIssuer {
  publicKey: CryptoKey;
  issue(claims: { sub: string; client: string; acr?: Acr; lifetimeSeconds?: number }): Promise<string>;
  jwks(): Promise<{ keys: object[] }>;
}

export async function createDevIssuer(): Promise<DevIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return {
    publicKey,
    issue: ({ sub, client, acr = 'substantial', lifetimeSeconds = 3600 }) =>
      new SignJWT({ client_id: client, acr })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'dev' })
        .setSubject(sub)
        .setIssuer(DEV_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(privateKey),
    jwks: async () => ({ keys: [{ ...(await exportJWK(publicKey)), kid: 'dev', alg: 'EdDSA', use: 'sig' }] }),
  };
}
