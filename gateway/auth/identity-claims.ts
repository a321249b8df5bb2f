/**
 * From a verified token's claims to the identity the graph judges: one pure
 * function, so that the dev issuer, a real OpenID provider and the tests all
 * agree on what a claim means. Default deny: a token that does not say which
 * kind of actor it is (or says something unknown) is refused, never guessed
 * (a personal code's checksum says nothing about who signed in).
 */
import { ACR_LEVELS, type Acr } from '../../permissions/model.ts';

export const ACTOR_KINDS = ['citizen', 'staff', 'service'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Identity {
  /** Citizen: personal code; staff: staff id (`staff-0001`); service: its client id. */
  sub: string;
  client: string;
  acr: Acr;
  amr: string[];
  kind: ActorKind;
  /** Roles the identity provider vouches for (staff only), e.g. `sib:caseworker`. */
  entitlements: string[];
}

export class AuthenticationError extends Error {}

/** How a provider's claim values map to ours; without one, `acr` must already be low|substantial|high. */
export interface ClaimMapping {
  acrValues?: Readonly<Record<string, Acr>>;
}

const ENTITLEMENT = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const MAX_LIST = 64;

function stringList(value: unknown, name: string, pattern?: RegExp): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_LIST || !value.every((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 100 && (!pattern || pattern.test(v)))) {
    throw new AuthenticationError(`the token's ${name} claim is not a list of names`);
  }
  return [...new Set(value)];
}

export function identityFromClaims(payload: Readonly<Record<string, unknown>>, mapping: ClaimMapping = {}): Identity {
  const { sub, client_id: client, acr, amr, actor, entitlements } = payload;
  if (typeof sub !== 'string' || !sub || typeof client !== 'string' || !client) {
    throw new AuthenticationError('the token lacks sub or client_id');
  }
  if (typeof actor !== 'string' || !(ACTOR_KINDS as readonly string[]).includes(actor)) {
    throw new AuthenticationError('the token does not say which kind of actor signed in (actor: citizen, staff or service)');
  }
  const kind = actor as ActorKind;
  const mapped = typeof acr === 'string' && mapping.acrValues && Object.hasOwn(mapping.acrValues, acr) ? mapping.acrValues[acr] : acr;
  const level: Acr = typeof mapped === 'string' && (ACR_LEVELS as readonly string[]).includes(mapped) ? (mapped as Acr) : 'low';
  const roles = stringList(entitlements, 'entitlements', ENTITLEMENT);
  // Entitlements describe a civil servant's role; on anyone else they are a forged or misconfigured claim.
  if (roles.length && kind !== 'staff') throw new AuthenticationError('only staff tokens carry entitlements');
  // A service acts as itself: its subject is its client id.
  if (kind === 'service' && sub !== client) throw new AuthenticationError("a service token's subject must be its own client id");
  return Object.freeze({ sub, client, acr: level, amr: Object.freeze(stringList(amr, 'amr')) as string[], kind, entitlements: Object.freeze(roles) as string[] });
}
