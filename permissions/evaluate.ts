/**
 * Questions the CLI asks of the policy, answered only through `decide` so that
 * what explain/matrix/diff report is exactly what the gateway enforces.
 */
import { decide, type Decision } from './decide.ts';
import { ACR_LEVELS, type Acr, type Policy } from './model.ts';

/**
 * What a purpose grants on a field, regardless of who the subject is and of
 * the session's assurance (the highest level is assumed): the grant itself.
 */
export function grantDecision(policy: Policy, purpose: string, field: string): Decision {
  return decide(policy, { purpose, field, acr: 'high' });
}

/**
 * The lowest assurance at which a purpose may read a field, or undefined when
 * it may not read it at all. Combines the purpose's `acr` with the category's
 * (inherited) `minAcr` by asking `decide` level by level.
 */
export function lowestAcrAllowing(policy: Policy, purpose: string, field: string): Acr | undefined {
  return ACR_LEVELS.find((acr) => decide(policy, { purpose, field, acr }).allow);
}

/** Categories in the order the policy lists them; unknown ones (a broken policy) last, by name. */
export function categoryOrder(policy: Policy): (a: string, b: string) => number {
  const order = Object.keys(policy.categories);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return (a, b) => rank(a) - rank(b) || a.localeCompare(b);
}
