/**
 * A new policy from a loaded one plus extra purposes and clients — for tests
 * and benchmarks that need a purpose no real client has. The result is frozen
 * like any loaded policy (decisions are cached per policy object).
 */
import type { Client, Policy, Purpose } from './model.ts';

export function extendPolicy(base: Policy, extra: { purposes?: Record<string, Purpose>; clients?: Record<string, Client> }): Policy {
  const dictionary = <T>(...parts: Record<string, T>[]) => Object.freeze(Object.assign(Object.create(null) as Record<string, T>, ...parts));
  return Object.freeze({
    ...base,
    purposes: dictionary(base.purposes, extra.purposes ?? {}),
    clients: dictionary(base.clients, extra.clients ?? {}),
  });
}

/** A purpose that reads every category of anyone: never in the shipped policy, only for tests and benchmarks. */
export function readEverythingPurpose(policy: Policy, description: string): Purpose {
  return {
    description,
    legalBasis: { kind: 'public-task', reference: description },
    subjects: ['any'],
    acr: 'low',
    read: { categories: Object.keys(policy.categories).filter((name) => !name.includes('.')), fields: [] },
    deny: { categories: [], fields: [] },
    mutations: [],
    internal: false,
  };
}
