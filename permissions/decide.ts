/**
 * The policy decision: a pure function of (policy, purpose, field, relation of
 * the subject to the actor, assurance). Gateway and subgraphs only call it.
 * Default deny: anything not classified or not granted is refused.
 */
import { ACR_LEVELS, PUBLIC, type Acr, type Policy, type SubjectScope } from './model.ts';

/** How the subject whose data a field holds relates to the actor. */
export type Relation = 'self' | 'represented' | 'other';

export type DenialReason =
  | 'UNKNOWN_PURPOSE'
  | 'UNCLASSIFIED'
  | 'NOT_GRANTED'
  | 'EXPLICITLY_DENIED'
  | 'SUBJECT_OUT_OF_SCOPE'
  | 'ASSURANCE_TOO_LOW'
  | 'UNDECLARED';

export type Decision = { allow: true } | { allow: false; reason: DenialReason };

export interface FieldQuestion {
  purpose: string;
  /** `Type.field` */
  field: string;
  /**
   * The subject's relation to the actor. Omitted when it is not known yet
   * (the gateway's check before planning): then only what holds for every
   * subject is judged, and the subject is judged again once known.
   */
  relation?: Relation;
  acr: Acr;
}

const ALLOW: Decision = { allow: true };
const deny = (reason: DenialReason): Decision => ({ allow: false, reason });

export function acrAtLeast(actual: Acr, required: Acr): boolean {
  return ACR_LEVELS.indexOf(actual) >= ACR_LEVELS.indexOf(required);
}

/** `financial` covers `financial.income`; a category covers itself. */
export function categoryCovers(granted: string, category: string): boolean {
  return category === granted || category.startsWith(`${granted}.`);
}

/**
 * An entry the policy itself defines, never one inherited from Object.prototype:
 * a purpose named `constructor` or a field named `toString` would otherwise
 * resolve to a function and crash (or worse, pass) the checks below.
 */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function classify(policy: Policy, field: string): string | undefined {
  const dot = field.indexOf('.');
  if (dot < 0) return undefined;
  return own(own(policy.classification, field.slice(0, dot)), field.slice(dot + 1));
}

export function relationInScope(scopes: readonly SubjectScope[], relation: Relation): boolean {
  if (scopes.includes('any')) return true;
  return relation === 'self' ? scopes.includes('self') : relation === 'represented' && scopes.includes('represented');
}

/** The minimum assurance a category needs: its own, or the strictest of its ancestors'. */
function categoryMinAcr(policy: Policy, category: string): Acr {
  let strictest: Acr = 'low';
  for (const [name, spec] of Object.entries(policy.categories)) {
    if (spec.minAcr && categoryCovers(name, category) && !acrAtLeast(strictest, spec.minAcr)) strictest = spec.minAcr;
  }
  return strictest;
}

function isReferable(policy: Policy, category: string): boolean {
  return Object.hasOwn(policy.categories, category) && policy.categories[category]!.referable === true;
}

/**
 * Decisions are asked for every field of every record served, and a policy
 * never changes once loaded (loadPolicy freezes it), so each distinct question
 * is answered once per policy. The cache is bounded by
 * purposes × fields × relations × assurance levels.
 */
const answered = new WeakMap<Policy, Map<string, Decision>>();

export function decide(policy: Policy, question: FieldQuestion): Decision {
  let cache = answered.get(policy);
  if (!cache) answered.set(policy, (cache = new Map()));
  const key = `${question.purpose}\u0000${question.field}\u0000${question.relation ?? ''}\u0000${question.acr}`;
  let decision = cache.get(key);
  if (!decision) {
    decision = decideUncached(policy, question);
    // Unknown purposes and fields come from requests: do not let them grow the cache.
    if (decision.allow || (decision.reason !== 'UNKNOWN_PURPOSE' && decision.reason !== 'UNCLASSIFIED')) cache.set(key, decision);
  }
  return decision;
}

function decideUncached(policy: Policy, question: FieldQuestion): Decision {
  const purpose = own(policy.purposes, question.purpose);
  if (!purpose) return deny('UNKNOWN_PURPOSE');
  const category = classify(policy, question.field);
  if (category === undefined) return deny('UNCLASSIFIED');
  if (category === PUBLIC) return ALLOW;

  const { read, deny: denied } = purpose;
  if (denied.fields.includes(question.field) || denied.categories.some((c) => categoryCovers(c, category))) {
    return deny('EXPLICITLY_DENIED');
  }
  if (!read.fields.includes(question.field) && !read.categories.some((c) => categoryCovers(c, category))) {
    return deny('NOT_GRANTED');
  }
  if (!acrAtLeast(question.acr, purpose.acr) || !acrAtLeast(question.acr, categoryMinAcr(policy, category))) {
    return deny('ASSURANCE_TOO_LOW');
  }
  if (question.relation !== undefined && !relationInScope(purpose.subjects, question.relation) && !isReferable(policy, category)) {
    return deny('SUBJECT_OUT_OF_SCOPE');
  }
  return ALLOW;
}

/** Whether a purpose may call a mutation (mutations are granted by name, not by category). */
export function decideMutation(policy: Policy, purposeId: string, mutation: string, acr: Acr): Decision {
  const purpose = own(policy.purposes, purposeId);
  if (!purpose) return deny('UNKNOWN_PURPOSE');
  if (!purpose.mutations.includes(mutation)) return deny('NOT_GRANTED');
  if (!acrAtLeast(acr, purpose.acr)) return deny('ASSURANCE_TOO_LOW');
  return ALLOW;
}
