/**
 * Throughput of the proactive-offers batch over a seeded population.
 *
 *   npx tsx bench/offers-batch.ts --citizens 100000 [--page-size 1000] [--concurrency 4] [--gateway-processes 1]
 *   npx tsx bench/offers-batch.ts --citizens 50000,100000,1000000   (several populations, one after the other)
 *   … --gateway-node-args=--cpu-prof --subgraph-node-args=--cpu-prof   (profiles of each tier through the batch)
 *
 * Starts a fresh embedded PostgreSQL (new folder under /tmp, free port),
 * migrates and seeds it, and runs the services as they are deployed, each
 * tier in a process of its own: the five subgraphs in one host process, the
 * gateway in another, its identity provider in a third (bench/lib/hosts/), real
 * HTTP between them, purpose enforcement, the shield, context tokens bound to
 * each call and the audit log all on. This process is the offers engine: the
 * same batch `npm run offers -- --all` runs, pages of citizens through the
 * gateway under proactive-eligibility, the benefits board evaluating them
 * (Citizen.eligibility over the facts the gateway hands it), their seals
 * handed back to recordEligibility. It prints citizens/s (goal 20,000), then
 * where a page's time went: CPU per page of each process (gateway, subgraphs,
 * PostgreSQL, this engine), the gateway's requests by operation, its calls to
 * each subgraph, each agency's SQL statements, and the audit writes (wall
 * clock from the gateway's own metrics; requests overlap).
 */
import '../system/terminal-defaults.ts';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { exportJWK, generateKeyPair } from 'jose';
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../offers/gateway-client.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import type { SubgraphName } from '../platform/topology.ts';
import { startHost } from './lib/child-process.ts';
import { postgresServerPid, treeCpuSeconds } from './lib/cpu.ts';
import type { GatewayHostOptions, GatewayHostStarted } from './lib/hosts/gateway.ts';
import type { IdentityProviderHostStarted } from './lib/hosts/identity-provider.ts';
import type { SubgraphHostOptions } from './lib/hosts/subgraphs.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'gateway-processes': { type: 'string', default: '1' },
    // e.g. --subgraph-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the subgraphs through a batch
    'gateway-node-args': { type: 'string' },
    'subgraph-node-args': { type: 'string' },
  },
});
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
const nodeArgs = (option: string | undefined) => option?.split(' ').filter(Boolean) ?? [];
const SUBGRAPH_HOST = new URL('./lib/hosts/subgraphs.ts', import.meta.url);
const GATEWAY_HOST = new URL('./lib/hosts/gateway.ts', import.meta.url);
const IDENTITY_PROVIDER_HOST = new URL('./lib/hosts/identity-provider.ts', import.meta.url);

type HistogramValues = { values: { labels: Partial<Record<string, string | number>>; value: number; metricName?: string }[] };
/** Sum and count of a histogram per label value, from the services' registry (the same numbers /metrics serves). */
function sums(metric: HistogramValues, label: string): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>();
  for (const v of metric.values) {
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
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const subgraphs = await startHost<Record<SubgraphName, string>>(SUBGRAPH_HOST, { databases: scratch.urls, publicKey: await exportJWK(publicKey), security: 'secured' } satisfies SubgraphHostOptions, nodeArgs(values['subgraph-node-args']));
  const processes = Number(values['gateway-processes']);
  const startGatewayTier = async () => {
    const identityProvider = await startHost<IdentityProviderHostStarted>(IDENTITY_PROVIDER_HOST, {});
    const gateway = await startHost<GatewayHostStarted>(GATEWAY_HOST, {
      kind: 'ours', subgraphUrls: subgraphs.started, privateKey: await exportJWK(privateKey), layers: { enforcement: true, audit: true }, auditDatabaseUrl: scratch.urls.audit, processes,
      issuer: identityProvider.started.issuer,
    } satisfies GatewayHostOptions, nodeArgs(values['gateway-node-args'])).catch(async (error: unknown) => {
      await identityProvider.close();
      throw error;
    });
    return { identityProvider, gateway };
  };
  const { identityProvider, gateway } = await startGatewayTier().catch(async (error: unknown) => {
    await subgraphs.close();
    throw error;
  });
  try {
    const client = gatewayClient(gateway.started.url, ENGINE_PURPOSE, cachedTokenSource(() => identityProvider.request<string>('issue', { sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
    await subgraphs.request('resetStatements');
    const bar = new cliProgress.SingleBar({ format: 'offers |{bar}| {value}/{total} citizens | {rate}/s' }, cliProgress.Presets.shades_classic);
    bar.start(citizens, 0, { rate: 0 });
    // The hosts are this process's children: the engine is counted by itself (cpuUsage), not as their tree.
    const groups = { gateway: gateway.pid, subgraphs: subgraphs.pid, postgres: await postgresServerPid(scratch.urls.identity) };
    const cpuBefore = treeCpuSeconds(groups);
    const engineBefore = process.cpuUsage();
    const started = Date.now();
    const result = await runBatch(client, {
      runId: `bench-${Date.now()}`,
      pageSize: Number(values['page-size']),
      concurrency: Number(values.concurrency),
      onProgress: (p) => bar.update(p.evaluated, { rate: Math.round(p.evaluated / ((Date.now() - started) / 1000)) }),
    });
    bar.stop();
    const cpuAfter = treeCpuSeconds(groups);
    const engine = process.cpuUsage(engineBefore);
    const seconds = result.elapsedMs / 1000;
    console.log(
      `offers batch: ${result.evaluated.toLocaleString('en')} citizens in ${seconds.toFixed(1)} s = ${Math.round(result.evaluated / seconds).toLocaleString('en')} citizens/s ` +
        `(page ${values['page-size']}, concurrency ${values.concurrency}, ${processes} gateway process${processes === 1 ? '' : 'es'}); proposed ${result.proposed}, granted automatically ${result.grantedAutomatically}`,
    );
    const pages = Math.max(1, result.pages);
    const cpu = (Object.keys(groups) as (keyof typeof groups)[]).map((g) => {
      const spent = cpuBefore[g] === undefined || cpuAfter[g] === undefined ? undefined : cpuAfter[g]! - cpuBefore[g]!;
      return `${g} ${spent === undefined ? '–' : `${((spent * 1000) / pages).toFixed(0)} ms`}`;
    });
    cpu.push(`engine ${((engine.user + engine.system) / 1000 / pages).toFixed(0)} ms`);
    console.log(`CPU per page (${pages} pages of ${values['page-size']}): ${cpu.join(', ')}`);
    const ms = (sum: number) => `${((sum * 1000) / pages).toFixed(0)} ms`;
    const measured = await gateway.request<{ requests: HistogramValues; fetches: HistogramValues; auditWrites: HistogramValues }>('metrics');
    console.log(`where a page's time went (wall clock per page, summed over requests, overlapping${processes > 1 ? '; one gateway process of several reports' : ''}):`);
    for (const [key, { sum, count }] of sums(measured.requests, 'operation')) {
      if (count) console.log(`  request ${key.padEnd(24)} ${ms(sum).padStart(8)}  (${(count / pages).toFixed(1)} per page)`);
    }
    for (const [key, { sum, count }] of sums(measured.fetches, 'subgraph')) {
      if (count) console.log(`  gateway → ${key.padEnd(22)} ${ms(sum).padStart(8)}  (${(count / pages).toFixed(1)} calls per page)`);
    }
    for (const [name, n] of Object.entries(await subgraphs.request<Record<string, number>>('statements'))) console.log(`  SQL statements, ${name.padEnd(14)} ${(n / pages).toFixed(1)} per page`);
    const audit = [...sums(measured.auditWrites, '').values()].reduce((a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }), { sum: 0, count: 0 });
    console.log(`  audit writes                ${ms(audit.sum).padStart(8)}  (${(audit.count / pages).toFixed(1)} per page)`);
  } finally {
    await gateway.close();
    await identityProvider.close();
    await subgraphs.close();
    await scratch.stop();
  }
}

for (const citizens of values.citizens!.split(',').map(Number)) await run(citizens);
