/**
 * Row-level part of the decision: whose records a request may reach. Pure,
 * like decide(): the gateway and every subgraph reach it through judge.ts.
 */
import { outOfScope, relationInScope, type Decision, type Relation } from './decide.ts';
import type { Policy, RootSubject } from './model.ts';

export type { RootSubject } from './model.ts';

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

export function relationOf(scope: SubjectScope, subjectId: string): Relation {
  if (scope.self !== undefined && scope.self === subjectId) return 'self';
  if (scope.represented.includes(subjectId)) return 'represented';
  if (scope.consented !== undefined && Object.hasOwn(scope.consented, subjectId)) return 'consented';
  return 'other';
}

/** Whether a record of this subject may be reached at all under the purpose and scope. */
export function subjectReachable(policy: Policy, purposeId: string, scope: SubjectScope, relation: Relation): boolean {
  const purpose = Object.hasOwn(policy.purposes, purposeId) ? policy.purposes[purposeId] : undefined;
  if (!purpose || !relationInScope(purpose.subjects, relation)) return false;
  return relation !== 'other' || scope.any;
}

/** Whose data a root field returns, as the policy declares it (undefined: undeclared, so refused). */
export function rootSubjectOf(policy: Policy, coordinate: string): RootSubject | undefined {
  return Object.hasOwn(policy.roots, coordinate) ? policy.roots[coordinate] : undefined;
}

/** The personal codes at these argument paths (`input.motherId`; a list on the way contributes each of its items). */
export function namedBy(paths: readonly string[], args: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, keys: readonly string[]): void => {
    if (Array.isArray(value)) for (const item of value) walk(item, keys);
    else if (keys.length === 0) {
      if (typeof value === 'string') found.add(value);
    } else if (value !== null && typeof value === 'object' && Object.hasOwn(value, keys[0]!)) walk((value as Record<string, unknown>)[keys[0]!], keys.slice(1));
  };
  for (const path of paths) walk(args, path.split('.'));
  return [...found];
}

/**
 * Whom a root field's call is about, as the policy declares it, for the audit record: the actor (a citizen's
 * own code), or the people its arguments name. Empty for `anyone`/`nobody` (the records served name them).
 */
export function rootSubjectsNamed(policy: Policy, coordinate: string, args: Record<string, unknown>, actor: string | undefined): string[] {
  const subject = rootSubjectOf(policy, coordinate);
  if (subject === 'actor') return actor === undefined ? [] : [actor];
  if (typeof subject !== 'object') return [];
  return namedBy('names' in subject ? subject.names : [subject.argument], args);
}

export function decideRootSubject(policy: Policy, purposeId: string, scope: SubjectScope, coordinate: string, args: Record<string, unknown>): Decision {
  if (!Object.hasOwn(policy.purposes, purposeId)) return { allow: false, reason: 'UNKNOWN_PURPOSE' };
  const subject = rootSubjectOf(policy, coordinate);
  if (subject === undefined) return { allow: false, reason: 'UNDECLARED' };
  let reachable: boolean;
  if (subject === 'nobody') reachable = true;
  else if (subject === 'anyone') reachable = scope.any;
  else if (subject === 'actor') reachable = scope.self !== undefined && subjectReachable(policy, purposeId, scope, 'self');
  else if ('names' in subject) {
    const named = namedBy(subject.names, args);
    reachable = named.length > 0 && named.every((id) => subjectReachable(policy, purposeId, scope, relationOf(scope, id)));
  } else {
    const named = args[subject.argument];
    reachable = typeof named === 'string' && subjectReachable(policy, purposeId, scope, relationOf(scope, named));
  }
  return reachable ? { allow: true } : { allow: false, reason: outOfScope(policy.purposes[purposeId]!.subjects) };
}
