/**
 * The benchmark compares gateways doing the same work: one purpose that reads
 * every field of anyone, so no configuration gets a cheaper (denied) answer.
 */
import { extendPolicy, readEverythingPurpose } from '../../permissions/extend.ts';
import { loadPolicy } from '../../permissions/load.ts';
import type { Policy } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';

export const BENCH_PURPOSE = 'benchmark';
export const BENCH_CLIENT = 'benchmark-client';
export const BENCH_ACTOR = 'staff-bench';
export const BENCH_CASE = 'BENCH-RUN';
export const BENCH_ENTITLEMENT = 'bench:runner';

export function benchPolicy(): Policy {
  const base = loadPolicy();
  return extendPolicy(base, {
    purposes: { [BENCH_PURPOSE]: { ...readEverythingPurpose(base, 'benchmarks only'), entitlement: BENCH_ENTITLEMENT } },
    clients: { [BENCH_CLIENT]: { name: 'Benchmark', description: 'benchmarks only', actors: 'staff', purposes: [BENCH_PURPOSE] } },
  });
}

/** The context a peer gateway forwards (signed once per run by the benchmark, as our gateway signs per request). */
export const BENCH_CONTEXT: CallerContext = {
  actor: BENCH_ACTOR,
  client: BENCH_CLIENT,
  purpose: BENCH_PURPOSE,
  acr: 'high',
  caseRef: BENCH_CASE,
  requestId: 'benchmark',
  scope: { represented: [], any: true },
};
