/**
 * The development identity provider: signs tokens for demo personas so that a
 * newcomer can try the graph without an OIDC server. Never used in production
 * (config refuses to start without a real issuer there).
 *
 * It emits the claims a real provider does (gateway/auth/identity-claims.ts):
 * `actor` and, for staff, the `entitlements` their persona carries.
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { Acr } from '../../permissions/model.ts';
import { isValidPersonalCode } from '../../platform/personal-code.ts';
import { personas } from '../../seed/personas.ts';
import type { ActorKind } from './identity-claims.ts';

export const DEV_ISSUER = 'citizen-graph-dev-issuer';
export const TOKEN_AUDIENCE = 'citizen-graph';

export interface DevTokenClaims {
  sub: string;
  client: string;
  acr?: Acr;
  amr?: string[];
  /** Default: a service signing in as itself (sub = client), a citizen for a personal code, staff otherwise. */
  actor?: ActorKind;
  /** Default: the persona's (staff only). */
  entitlements?: string[];
  lifetimeSeconds?: number;
}

export interface DevIssuer {
  publicKey: CryptoKey;
  issue(claims: DevTokenClaims): Promise<string>;
  jwks(): Promise<{ keys: object[] }>;
}

/** Who a demo subject is: what the identity provider would know of them. */
export function devActor(sub: string, client: string): { actor: ActorKind; entitlements: string[] } {
  const persona = personas().find((p) => p.id === sub);
  if (sub === client) return { actor: 'service', entitlements: [] };
  if (persona?.entitlements.length || /^staff-\d{4}$/.test(sub)) return { actor: 'staff', entitlements: persona?.entitlements ?? [] };
  return { actor: isValidPersonalCode(sub) ? 'citizen' : 'staff', entitlements: [] };
}

export async function createDevIssuer(): Promise<DevIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return {
    publicKey,
    issue: ({ sub, client, acr = 'substantial', amr, actor, entitlements, lifetimeSeconds = 3600 }) => {
      const known = devActor(sub, client);
      const kind = actor ?? known.actor;
      const roles = entitlements ?? (kind === 'staff' ? known.entitlements : []);
      return new SignJWT({ client_id: client, acr, actor: kind, ...(amr ? { amr } : {}), ...(kind === 'staff' || roles.length ? { entitlements: roles } : {}) })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'dev' })
        .setSubject(sub)
        .setIssuer(DEV_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(privateKey);
    },
    jwks: async () => ({ keys: [{ ...(await exportJWK(publicKey)), kid: 'dev', alg: 'EdDSA', use: 'sig' }] }),
  };
}
