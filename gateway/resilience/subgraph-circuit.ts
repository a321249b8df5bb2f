/**
 * Per-subgraph timeout and circuit breaker (opossum) around the gateway's
 * calls to one agency. When an agency is down or slow, its calls fail fast
 * with SUBGRAPH_UNAVAILABLE, the planner still returns every other agency's
 * fields, and the circuit closes by itself once a trial call succeeds again.
 */
import CircuitBreaker from 'opossum';
import { GraphQLError } from 'graphql';
import type { ResilienceConfig } from '../../platform/config.ts';
import { metrics } from '../../platform/metrics.ts';
import { logger } from '../../platform/logger.ts';

export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';

export function subgraphUnavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`the ${subgraph} agency is not answering right now; its fields are missing from this response`, {
    extensions: { code: SUBGRAPH_UNAVAILABLE, subgraph },
  });
}

/** A subgraph that answered with a 4xx is up: that is the caller's problem, not a reason to open the circuit. */
function answeredByClientError(error: unknown): boolean {
  const status = (error as { extensions?: { response?: { status?: unknown } } })?.extensions?.response?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** A short, value-free reason for the operator: timeout, ECONNREFUSED, HTTP 502, … */
function failureReason(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string }; extensions?: { response?: { status?: number } } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || /^UND_ERR_\w*TIMEOUT$/.test(e.code ?? '')) return 'timeout';
  if (e.extensions?.response?.status) return `HTTP ${e.extensions.response.status}`;
  return e.cause?.code ?? e.code ?? e.name ?? 'unknown';
}

export interface SubgraphCircuit {
  /** Runs one call to the subgraph through the circuit. */
  call<T>(work: () => Promise<T>): Promise<T>;
  readonly open: boolean;
  shutdown(): void;
}

export function subgraphCircuit(subgraph: string, config: ResilienceConfig): SubgraphCircuit {
  // The action is the call itself, so one breaker serves every request to this subgraph.
  const breaker = new CircuitBreaker(<T>(work: () => Promise<T>) => work(), {
    // The fetch itself is aborted at config.timeoutMs (see subgraph-source.ts); opossum's timer is a backstop.
    timeout: config.timeoutMs + 1_000,
    errorThresholdPercentage: config.errorThresholdPercent,
    volumeThreshold: config.volumeThreshold,
    resetTimeout: config.resetTimeoutMs,
    rollingCountTimeout: 10_000,
    errorFilter: answeredByClientError,
  });
  const log = logger.child({ service: 'gateway', subgraph });
  metrics.circuitOpen.set({ subgraph }, 0);
  breaker.on('open', () => {
    metrics.circuitOpen.set({ subgraph }, 1);
    log.warn({ event: 'circuit-open' }, `circuit to ${subgraph} opened: calls fail fast for ${config.resetTimeoutMs} ms`);
  });
  breaker.on('halfOpen', () => log.info({ event: 'circuit-half-open' }, `trying ${subgraph} again`));
  breaker.on('close', () => {
    metrics.circuitOpen.set({ subgraph }, 0);
    log.info({ event: 'circuit-closed' }, `circuit to ${subgraph} closed: calls flow again`);
  });
  return {
    async call<T>(work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        const result = (await breaker.fire(work)) as T;
        metrics.subgraphFetchDuration.observe({ subgraph, outcome: 'ok' }, (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (answeredByClientError(error)) {
          metrics.subgraphFetchDuration.observe({ subgraph, outcome: 'ok' }, (performance.now() - started) / 1000);
          throw error;
        }
        const outcome = code === 'EOPENBREAKER' ? 'rejected' : 'failed';
        metrics.subgraphFetchDuration.observe({ subgraph, outcome }, (performance.now() - started) / 1000);
        if (outcome === 'failed') log.info({ event: 'subgraph-call-failed', reason: failureReason(error) }, `call to ${subgraph} failed`);
        throw subgraphUnavailable(subgraph);
      }
    },
    get open() {
      return breaker.opened;
    },
    shutdown: () => breaker.shutdown(),
  };
}
