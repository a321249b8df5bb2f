/**
 * One load run with autocannon: fixed connections and duration, a different
 * request body per request (so nothing is served from one cached citizen),
 * and every response checked for GraphQL errors, which autocannon itself ignores.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx responses and responses with `errors`, by code. */
  errors: Record<string, number>;
  /** The first message seen for each code (in the JSON results, to tell what went wrong). */
  errorSamples?: Record<string, string>;
}

export async function runLoad(options: {
  url: string;
  connections: number;
  durationSeconds: number;
  /**
   * Instead of a duration, exactly this many requests, every one waited for: for requests so slow that a short
   * run would complete none (a quick run's 1,000-citizen pages). rps is then requests over the elapsed time.
   */
  amount?: number;
  /** Called once per request: vary the citizen, token, etc. */
  next: () => LoadRequest;
  /** GraphQL error codes that are expected in a correct answer (e.g. a denial the scenario provokes). */
  expectedCodes?: readonly string[];
}): Promise<LoadResult> {
  const errors: Record<string, number> = {};
  const errorSamples: Record<string, string> = {};
  const count = (code: string, message = '') => {
    errors[code] = (errors[code] ?? 0) + 1;
    errorSamples[code] ??= message.slice(0, 300);
  };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.amount ? { amount: options.amount } : {}),
    method: 'POST',
    requests: [
      {
        setupRequest: (request) => {
          const { headers, body } = options.next();
          return { ...request, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body };
        },
        onResponse: (status, body) => {
          if (status < 200 || status >= 300) return void count(`HTTP_${status}`, body);
          try {
            const parsed = JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: string } }[] };
            for (const error of parsed.errors ?? []) {
              const code = error.extensions?.code ?? 'NO_CODE';
              if (!options.expectedCodes?.includes(code)) count(code, error.message);
            }
          } catch {
            count('INVALID_JSON', body);
          }
        },
      },
    ],
  });
  return {
    rps: options.amount ? result.requests.total / result.duration : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors,
    errorSamples,
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median of several runs of one configuration; other fields of a result (e.g. SQL per request) come from its last run. */
export function summarize<R extends LoadResult>(all: R[]): R & { runs: R[] } {
  const errors: Record<string, number> = {};
  for (const run of all) for (const [code, n] of Object.entries(run.errors)) errors[code] = (errors[code] ?? 0) + n;
  const summary = { rps: median(all.map((r) => r.rps)), p50: median(all.map((r) => r.p50)), p99: median(all.map((r) => r.p99)), requests: all.reduce((s, r) => s + r.requests, 0), errors };
  return { ...all.at(-1)!, ...summary, runs: all };
}

/**
 * Runs each configuration once per round, alternating (so drift in the machine
 * hits all alike), and reports the median of each.
 */
export async function compareAlternating<C extends string, R extends LoadResult>(
  configurations: readonly C[],
  rounds: number,
  measure: (configuration: C, round: number) => Promise<R>,
): Promise<Record<C, R & { runs: R[] }>> {
  const runs = Object.fromEntries(configurations.map((c) => [c, [] as R[]])) as Record<C, R[]>;
  for (let round = 0; round < rounds; round++) {
    for (const configuration of configurations) runs[configuration].push(await measure(configuration, round));
  }
  return Object.fromEntries(configurations.map((c) => [c, summarize(runs[c])])) as Record<C, R & { runs: R[] }>;
}

export function formatTable(results: Record<string, LoadResult>, baseline: string): string {
  const base = results[baseline]!.rps;
  const lines = ['| configuration | rps | p50 ms | p99 ms | errors | ratio |', '|---|---:|---:|---:|---|---:|'];
  for (const [name, r] of Object.entries(results)) {
    const errors = Object.entries(r.errors).map(([c, n]) => `${c}:${n}`).join(' ') || '0';
    lines.push(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${errors} | ${(r.rps / base).toFixed(2)} |`);
  }
  return lines.join('\n');
}

/** Sends `count` requests one after another (no load): for exact per-request counts such as SQL statements. */
export async function runSequential(options: { url: string; count: number; next: () => LoadRequest }): Promise<void> {
  for (let i = 0; i < options.count; i++) {
    const { headers, body } = options.next();
    const response = await fetch(options.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    await response.text();
  }
}
