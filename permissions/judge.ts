/**
 * The request-level half of the one judge: before any field is looked at, may
 * this caller (client, actor kind, entitlements, assurance) declare this
 * purpose, with this case reference? Pure, like decide(): the gateway only
 * calls it, and every refusal has a stable code and a reason.
 */
import { acrAtLeast } from './decide.ts';
import { clientActors, type Acr, type ClientActors, type Policy, type Purpose } from './model.ts';
import type { SubjectScope } from './subjects.ts';

/** Who signed in, as the gateway knows it from the token (gateway/auth/identity-claims.ts). */
export interface Caller {
  sub: string;
  client: string;
  acr: Acr;
  kind: 'citizen' | 'staff' | 'service';
  entitlements: readonly string[];
}

export type RequestRefusalCode = 'PURPOSE_NOT_ALLOWED' | 'CASE_REFERENCE_REQUIRED' | 'ACTOR_NOT_ALLOWED';

export type RequestDecision =
  | { allow: true; purpose: string; caseRef?: string; needsRepresentedLookup: boolean; scope: SubjectScope }
  | { allow: false; code: RequestRefusalCode; status: 400 | 403; message: string };

/** Which token kinds a client's actors are: a partner's system signs in as itself, as a service does. */
const TOKEN_KINDS: Record<ClientActors, Caller['kind']> = { citizens: 'citizen', staff: 'staff', service: 'service', partner: 'service' };

export function clientAccepts(policy: Policy, clientId: string, kind: Caller['kind']): boolean {
  if (!Object.hasOwn(policy.clients, clientId)) return false;
  return clientActors(policy.clients[clientId]!).some((actors) => TOKEN_KINDS[actors] === kind);
}

/** Whether actors of this kind may use a purpose at all: citizens never reach anyone, staff need the purpose's entitlement. */
export function actorsMayUse(actors: ClientActors, purpose: Purpose): boolean {
  if (actors === 'citizens') return !purpose.subjects.includes('any');
  if (actors === 'staff') return purpose.entitlement !== undefined;
  return true;
}

const CASE_REF = /^[A-Za-z0-9][A-Za-z0-9:/._-]{2,99}$/;
/** Ids a client sent, shown back in a refusal: printable ASCII, bounded. */
const shown = (value: string) => value.slice(0, 64).replace(/[^\x20-\x7E]/g, '?');

const refuse = (code: RequestRefusalCode, message: string, status: 400 | 403 = 403): RequestDecision => ({ allow: false, code, status, message });

export function judgeRequest(policy: Policy, caller: Caller, purposeHeader: string | undefined, caseRefHeader: string | undefined, isPersonalCode: (sub: string) => boolean): RequestDecision {
  const purposeId = purposeHeader?.trim();
  if (!purposeId) return refuse('PURPOSE_NOT_ALLOWED', 'declare the purpose of this request in the x-purpose header', 400);
  const purpose = Object.hasOwn(policy.purposes, purposeId) ? policy.purposes[purposeId] : undefined;
  // Internal purposes exist for the platform's own lookups: to a client they are unknown.
  if (!purpose || purpose.internal) return refuse('PURPOSE_NOT_ALLOWED', `unknown purpose "${shown(purposeId)}"`);
  const client = Object.hasOwn(policy.clients, caller.client) ? policy.clients[caller.client] : undefined;
  if (!client) return refuse('PURPOSE_NOT_ALLOWED', `client "${shown(caller.client)}" is not registered`);
  if (!client.purposes.includes(purposeId)) return refuse('PURPOSE_NOT_ALLOWED', `client "${caller.client}" may not use purpose "${purposeId}"`);
  if (!clientAccepts(policy, caller.client, caller.kind)) {
    return refuse('ACTOR_NOT_ALLOWED', `client "${caller.client}" is for ${clientActors(client).join(' or ')}: a ${caller.kind} may not sign in through it`);
  }
  // A citizen is a person with a personal code; anything else claiming to be one is refused, never guessed at.
  if (caller.kind === 'citizen' && !isPersonalCode(caller.sub)) return refuse('ACTOR_NOT_ALLOWED', "a citizen's token must name them by personal code");
  if (caller.kind === 'citizen' && !actorsMayUse('citizens', purpose)) return refuse('ACTOR_NOT_ALLOWED', `purpose "${purposeId}" reaches anyone: no citizen may declare it`);
  if (caller.kind === 'staff' && (!purpose.entitlement || !caller.entitlements.includes(purpose.entitlement))) {
    return refuse('ACTOR_NOT_ALLOWED', purpose.entitlement ? `purpose "${purposeId}" needs the entitlement "${purpose.entitlement}"` : `purpose "${purposeId}" is not open to staff`);
  }
  if (!acrAtLeast(caller.acr, purpose.acr)) {
    return refuse('PURPOSE_NOT_ALLOWED', `purpose "${purposeId}" needs sign-in assurance "${purpose.acr}" (this sign-in: "${caller.acr}")`);
  }
  const any = purpose.subjects.includes('any');
  const caseRef = caseRefHeader?.trim() || undefined;
  if (any && !caseRef) {
    return refuse('CASE_REFERENCE_REQUIRED', `purpose "${purposeId}" reaches any citizen and needs a case reference in the x-case-ref header`, 400);
  }
  if (caseRef && !CASE_REF.test(caseRef)) return refuse('CASE_REFERENCE_REQUIRED', 'x-case-ref must be 3-100 letters, digits or : / . _ -', 400);
  const citizen = caller.kind === 'citizen';
  return {
    allow: true,
    purpose: purposeId,
    caseRef,
    needsRepresentedLookup: citizen && purpose.subjects.includes('represented'),
    scope: {
      self: citizen && (purpose.subjects.includes('self') || purpose.subjects.includes('represented')) ? caller.sub : undefined,
      represented: [],
      any,
    },
  };
}
