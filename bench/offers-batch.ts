/**
 * Throughput of the proactive-offers batch over a seeded population.
 *
 *   npx tsx bench/offers-batch.ts --citizens 100000 [--page-size 1000] [--concurrency 4]
 *   npx tsx bench/offers-batch.ts --citizens 1000000
 *
 * Starts a fresh embedded PostgreSQL (new folder under /tmp, free port),
 * migrates and seeds it, starts the real services (subgraphs + gateway, HTTP,
 * purpose enforcement), then runs the same batch `npm run offers -- --all`
 * runs — pages of citizens through the gateway under proactive-eligibility,
 * the benefits board evaluating them (Citizen.eligibility over the facts the
 * gateway hands it), their seals handed back to recordEligibility — and
 * prints citizens/s (goal 20,000), then where a page's time went: the
 * gateway's requests by operation, its calls to each subgraph, each agency's
 * SQL statements, and the audit writes (from the services' own metrics; every
 * service runs in this one process, so the wall-clock sums overlap).
 *
 *   --citizens 50000,100000   several populations in one run, one after the other
 */
import '../system/terminal-defaults.ts';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../offers/gateway-client.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { startServices } from '../system/services.ts';
import { metrics } from '../platform/metrics.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
});
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

type HistogramValues = { values: { labels: Partial<Record<string, string | number>>; value: number; metricName?: string }[] };
/** Sum and count of a histogram per label value, from the services' registry (the same numbers /metrics serves). */
async function sums(metric: { get(): Promise<HistogramValues> | HistogramValues }, label: string): Promise<Map<string, { sum: number; count: number }>> {
  const out = new Map<string, { sum: number; count: number }>();
  for (const v of (await metric.get()).values) {
    const key = String(v.labels[label] ?? '');
    const entry = out.get(key) ?? { sum: 0, count: 0 };
    if (v.metricName?.endsWith('_sum')) entry.sum += v.value;
    else if (v.metricName?.endsWith('_count')) entry.count += v.value;
    else continue;
    out.set(key, entry);
  }
  return out;
}

async function run(citizens: number): Promise<void> {
  console.log(`seeding ${citizens.toLocaleString('en')} citizens into a fresh embedded PostgreSQL…`);
  const seedStart = Date.now();
  const scratch = await startScratchDatabases({ citizens, seed: 42 });
  console.log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  const system = await startServices({ databases: scratch.urls, gatewayPort: 0, lifeEvents: false });
  try {
    const client = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
    metrics.requestDuration.reset();
    metrics.subgraphFetchDuration.reset();
    metrics.auditWriteDuration.reset();
    for (const s of Object.values(system.subgraphs)) s.db.resetStatementCount();
    const bar = new cliProgress.SingleBar({ format: 'offers |{bar}| {value}/{total} citizens | {rate}/s' }, cliProgress.Presets.shades_classic);
    bar.start(citizens, 0, { rate: 0 });
    const started = Date.now();
    const cpuStart = process.cpuUsage();
    const result = await runBatch(client, {
      runId: `bench-${Date.now()}`,
      pageSize: Number(values['page-size']),
      concurrency: Number(values.concurrency),
      onProgress: (p) => bar.update(p.evaluated, { rate: Math.round(p.evaluated / ((Date.now() - started) / 1000)) }),
    });
    bar.stop();
    const cpu = process.cpuUsage(cpuStart);
    const seconds = result.elapsedMs / 1000;
    console.log(
      `offers batch: ${result.evaluated.toLocaleString('en')} citizens in ${seconds.toFixed(1)} s = ${Math.round(result.evaluated / seconds).toLocaleString('en')} citizens/s ` +
        `(page ${values['page-size']}, concurrency ${values.concurrency}); proposed ${result.proposed}, granted automatically ${result.grantedAutomatically}; ` +
        `Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of ${seconds.toFixed(1)} s wall`,
    );
    const pages = Math.max(1, result.pages);
    const ms = (sum: number) => `${((sum * 1000) / pages).toFixed(0)} ms`;
    console.log(`where a page's time went (${pages} pages; wall-clock per page, summed over requests, overlapping):`);
    for (const [key, { sum, count }] of await sums(metrics.requestDuration, 'operation')) {
      if (count) console.log(`  request ${key.padEnd(24)} ${ms(sum).padStart(8)}  (${(count / pages).toFixed(1)} per page)`);
    }
    for (const [key, { sum, count }] of await sums(metrics.subgraphFetchDuration, 'subgraph')) {
      if (count) console.log(`  gateway → ${key.padEnd(22)} ${ms(sum).padStart(8)}  (${(count / pages).toFixed(1)} calls per page)`);
    }
    for (const s of Object.values(system.subgraphs)) console.log(`  SQL statements, ${s.name.padEnd(14)} ${(s.db.statements / pages).toFixed(1)} per page`);
    const audit = [...(await sums(metrics.auditWriteDuration, '')).values()].reduce((a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }), { sum: 0, count: 0 });
    console.log(`  audit writes                ${ms(audit.sum).padStart(8)}  (${(audit.count / pages).toFixed(1)} per page)`);
  } finally {
    await system.close();
    await scratch.stop();
  }
}

for (const citizens of values.citizens!.split(',').map(Number)) await run(citizens);
