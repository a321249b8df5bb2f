/**
 * From a verified token's claims to the identity the graph judges: one pure
 * function, so that the development provider, a national one and the tests all
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

/**
 * How a provider's claims map to ours (docs/configuration.md, "Identity
 * claims"). Without one, the claims of CONTRACTS.md are read as they are;
 * `acr` may always be a level (low|substantial|high) or an eIDAS level URI.
 */
export interface ClaimMapping {
  /** More `acr` values, e.g. a national provider's own names for the levels. */
  acrValues?: Readonly<Record<string, Acr>>;
  /** The claim holding the personal code or staff id (default `sub`) … */
  subjectClaim?: string;
  /** … and a prefix to take off it: TARA's `sub` is the country code and the personal code (`EE38001085718`). */
  subjectPrefix?: string;
  /** The claim naming the client (default `client_id`; an ID-token-style provider names it in `azp`). */
  clientClaim?: string;
  /** The claim holding the actor kind (default `actor`) … */
  actorClaim?: string;
  /**
   * … or, for a provider that authenticates one kind of person only and says
   * so in no claim (a national citizen provider such as TARA), that kind: an
   * explicit statement of the deployment, never a default.
   */
  actor?: ActorKind;
  /** The claim holding staff entitlements (default `entitlements`). */
  entitlementsClaim?: string;
}

/** eIDAS levels of assurance (Regulation 2015/1502) as national providers send them. */
export const EIDAS_ACR_VALUES: Readonly<Record<string, Acr>> = Object.freeze({
  'http://eidas.europa.eu/LoA/low': 'low',
  'http://eidas.europa.eu/LoA/substantial': 'substantial',
  'http://eidas.europa.eu/LoA/high': 'high',
});

const claim = (payload: Readonly<Record<string, unknown>>, name: string | undefined, fallback: string): unknown => {
  const key = name ?? fallback;
  return Object.hasOwn(payload, key) ? payload[key] : undefined;
};

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
  const { acr, amr } = payload;
  const client = claim(payload, mapping.clientClaim, 'client_id');
  const entitlements = claim(payload, mapping.entitlementsClaim, 'entitlements');
  const actor = mapping.actor ?? claim(payload, mapping.actorClaim, 'actor');
  let sub = claim(payload, mapping.subjectClaim, 'sub');
  if (typeof sub === 'string' && mapping.subjectPrefix) {
    // A subject without the expected prefix is not one of this provider's subjects: refused, not taken as is.
    sub = sub.startsWith(mapping.subjectPrefix) ? sub.slice(mapping.subjectPrefix.length) : undefined;
  }
  if (typeof sub !== 'string' || !sub || typeof client !== 'string' || !client) {
    throw new AuthenticationError('the token lacks sub or client_id');
  }
  if (typeof actor !== 'string' || !(ACTOR_KINDS as readonly string[]).includes(actor)) {
    throw new AuthenticationError('the token does not say which kind of actor signed in (actor: citizen, staff or service)');
  }
  const kind = actor as ActorKind;
  const mapped =
    typeof acr !== 'string' ? undefined
      : mapping.acrValues && Object.hasOwn(mapping.acrValues, acr) ? mapping.acrValues[acr]
        : Object.hasOwn(EIDAS_ACR_VALUES, acr) ? EIDAS_ACR_VALUES[acr] : acr;
  const level: Acr = typeof mapped === 'string' && (ACR_LEVELS as readonly string[]).includes(mapped) ? (mapped as Acr) : 'low';
  // A provider may send one method as a string (RFC 8176 says an array): read as a list of one.
  const methods = typeof amr === 'string' ? [amr] : amr;
  const roles = stringList(entitlements, 'entitlements', ENTITLEMENT);
  // Entitlements describe a civil servant's role; on anyone else they are a forged or misconfigured claim.
  if (roles.length && kind !== 'staff') throw new AuthenticationError('only staff tokens carry entitlements');
  // A service acts as itself: its subject is its client id.
  if (kind === 'service' && sub !== client) throw new AuthenticationError("a service token's subject must be its own client id");
  return Object.freeze({ sub, client, acr: level, amr: Object.freeze(stringList(methods, 'amr')) as string[], kind, entitlements: Object.freeze(roles) as string[] });
}
