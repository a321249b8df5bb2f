/**
 * The one judge. Request-level: before any field is looked at, may this
 * caller (client, actor kind, entitlements, assurance) declare this purpose,
 * with this case reference? Field-level: may this request read this field
 * (of this subject), call this mutation, reach this root field's subject?
 * Pure, like decide() which it calls: the gateway and every subgraph's shield
 * only call these functions, so both enforce exactly the same thing.
 */
import { acrAtLeast, decide, decideMutation, type Decision, type Relation } from './decide.ts';
import { clientActors, type Acr, type ClientActors, type Policy, type Purpose } from './model.ts';
import { decideRootSubject, relationOf, rootSubjectOf, type SubjectScope } from './subjects.ts';

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
  // A partner reads under a consent for one application of theirs: the audit names it.
  if (purpose.subjects.includes('consented') && !caseRef) {
    return refuse('CASE_REFERENCE_REQUIRED', `purpose "${purposeId}" rests on consent and needs the case reference of the application in the x-case-ref header`, 400);
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

/** What the field half of the judge needs to know of a request (the gateway's caller, or a subgraph's signed context). */
export interface JudgedRequest {
  purpose: string;
  acr: Acr;
  scope: SubjectScope;
}

/**
 * The field half of the one judge, called by the gateway's plan and by every
 * subgraph's shield alike: a field of a subject type, for the person of the
 * record holding it (`subject`: its personal code, undefined when the record
 * does not say, which is someone else's); any other field, or a subject's
 * field before its record is known (`subject` omitted), for what holds for
 * everyone under the purpose and assurance.
 */
export function judgeField(policy: Policy, request: JudgedRequest, coordinate: string, subject?: { id: string | undefined }): Decision {
  if (!subject) return decide(policy, { purpose: request.purpose, field: coordinate, acr: request.acr });
  return decide(policy, { purpose: request.purpose, field: coordinate, relation: relationToSubject(request, subject), acr: request.acr });
}

/**
 * How a record's person relates to the request, as judgeField sees it: within
 * one request, a subject's field is decided by this relation alone, so callers
 * that reuse a decision (the subgraph shield's per-request memo) key it by this.
 */
export function relationToSubject(request: JudgedRequest, subject: { id: string | undefined }): Relation {
  return subject.id === undefined ? 'other' : relationOf(request.scope, subject.id);
}

/** A mutation, granted by name in the purpose. */
export function judgeMutation(policy: Policy, request: JudgedRequest, name: string): Decision {
  return decideMutation(policy, request.purpose, name, request.acr);
}

/** A root field: whose data it returns (policy `roots`; undeclared is refused), with this request's arguments. */
export function judgeRootSubject(policy: Policy, request: JudgedRequest, coordinate: string, args: Record<string, unknown>): Decision {
  return decideRootSubject(policy, request.purpose, request.scope, coordinate, args);
}

/** Whether a root field's subject depends on its arguments (so the arguments must be computed to judge it). */
export function rootNeedsArguments(policy: Policy, coordinate: string): boolean {
  const subject = rootSubjectOf(policy, coordinate);
  return typeof subject === 'object';
}

/** The subject types of the policy and the field naming each one's person. */
export function subjectTypes(policy: Policy): ReadonlyMap<string, string> {
  let types = subjectTypeMaps.get(policy);
  if (!types) subjectTypeMaps.set(policy, (types = new Map(Object.entries(policy.subjectTypes))));
  return types;
}
const subjectTypeMaps = new WeakMap<Policy, ReadonlyMap<string, string>>();
