/**
 * Row-level part of the decision: whose records a request may reach. Pure,
 * like decide(): the gateway and every subgraph call the same functions.
 */
import { outOfScope, relationInScope, type Decision, type Relation } from './decide.ts';
import type { Policy } from './model.ts';

export interface SubjectScope {
  /** The actor's own personal code, when the actor is a citizen and the purpose reaches `self`. */
  self?: string;
  /** Personal codes the actor may act for, when the purpose reaches `represented`. */
  represented: string[];
  /** The purpose reaches any subject (it needs a case reference). */
  any: boolean;
  /**
   * Personal code -> id of the person's live consent for this client and
   * purpose, when the purpose reaches `consented` subjects (looked up by the
   * gateway for every request, never cached: a revocation holds at the next one).
   */
  consented?: Record<string, string>;
}

/**
 * Whose data a root field returns: the caller ('self'), anyone ('any': only
 * purposes reaching any subject), a subject named by an argument, or nobody's ('none').
 */
export type RootSubject = 'self' | 'any' | 'none' | ((args: Record<string, unknown>) => string);

export function relationOf(scope: SubjectScope, subjectId: string): Relation {
  if (scope.self !== undefined && scope.self === subjectId) return 'self';
  if (scope.represented.includes(subjectId)) return 'represented';
  if (scope.consented !== undefined && Object.hasOwn(scope.consented, subjectId)) return 'consented';
  return 'other';
}

/** Whether a record of this subject may be reached at all under the purpose and scope. */
export function subjectReachable(policy: Policy, purposeId: string, scope: SubjectScope, relation: Relation): boolean {
  const purpose = policy.purposes[purposeId];
  if (!purpose || !relationInScope(purpose.subjects, relation)) return false;
  return relation !== 'other' || scope.any;
}

export function decideRootSubject(
  policy: Policy,
  purposeId: string,
  scope: SubjectScope,
  subject: RootSubject,
  args: Record<string, unknown>,
): Decision {
  const purpose = policy.purposes[purposeId];
  if (!purpose) return { allow: false, reason: 'UNKNOWN_PURPOSE' };
  let reachable: boolean;
  if (subject === 'none') reachable = true;
  else if (subject === 'any') reachable = scope.any;
  else if (subject === 'self') reachable = scope.self !== undefined && subjectReachable(policy, purposeId, scope, 'self');
  else reachable = subjectReachable(policy, purposeId, scope, relationOf(scope, subject(args)));
  return reachable ? { allow: true } : { allow: false, reason: outOfScope(purpose.subjects) };
}
