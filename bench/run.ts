/**
 * `npm run bench [-- --quick]`: the graph side by side with plain Apollo
 * Gateway, Hive Gateway and direct subgraph calls, and the cost of each of our
 * layers, measured in one run on one machine (only such ratios mean anything).
 * Configurations alternate within each round; medians are reported.
 *
 * Process layout, the same for every configuration: this process generates the
 * load, one host process serves the five subgraphs, and the gateway under test
 * has a process of its own (as Hive Gateway's CLI does), so no gateway shares
 * its event loop with the load generator or the subgraphs.
 *
 * Options: --quick (under 2 minutes) | --citizens N --duration S --rounds R --connections C
 *          --only name,name (configuration names, see below) --scenarios 1,2 --gateway-node-args=--cpu-prof --subgraph-node-args=…
 * Output: a table on stdout, and bench/results/bench-<time>.{json,md}.
 */
import '../system/terminal-defaults.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startScratchDatabases, type ScratchDatabases } from '../system/scratch-databases.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/topology.ts';
import { startHost, type Host } from './lib/child-process.ts';
import type { GatewayHostOptions, GatewayHostStarted } from './lib/hosts/gateway.ts';
import type { SubgraphHostOptions } from './lib/hosts/subgraphs.ts';
import { median, runLoad, runSequential, summarize, type LoadResult } from './lib/load.ts';
import { cpuSeconds } from './lib/cpu.ts';
import { ensureHiveInstalled, signBenchTokens, startHiveGateway } from './lib/peers.ts';
import { requestsFor, sampleAdults, scenarios, type Scenario } from './lib/scenarios.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    citizens: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string', default: '20' },
    // e.g. --gateway-node-args=--cpu-prof to profile the gateway under test
    'gateway-node-args': { type: 'string' },
    'subgraph-node-args': { type: 'string' },
    only: { type: 'string' },
    // e.g. --scenarios 1 to measure the unified view alone
    scenarios: { type: 'string' },
  },
});
const quick = values.quick;
const settings = {
  citizens: Number(values.citizens ?? (quick ? 5_000 : 20_000)),
  duration: Number(values.duration ?? (quick ? 2 : 10)),
  rounds: Number(values.rounds ?? (quick ? 1 : 3)),
  connections: Number(values.connections),
};
const nodeArgs = values['gateway-node-args']?.split(' ').filter(Boolean) ?? [];
const subgraphNodeArgs = values['subgraph-node-args']?.split(' ').filter(Boolean) ?? [];
const SUBGRAPH_HOST = new URL('./lib/hosts/subgraphs.ts', import.meta.url);
const GATEWAY_HOST = new URL('./lib/hosts/gateway.ts', import.meta.url);

type Layers = { enforcement?: boolean; shield?: boolean; audit?: boolean };
type Configuration =
  | { name: string; kind: 'ours'; layers: Layers }
  | { name: string; kind: 'apollo' | 'hive' | 'direct' };

const BASELINE = 'plain @apollo/gateway';
const ALL: Configuration[] = [
  { name: BASELINE, kind: 'apollo' },
  { name: 'citizen-graph (all layers)', kind: 'ours', layers: {} },
  // The audit record is built from the enforcement walk: without enforcement there is no audit either.
  { name: 'citizen-graph − gateway enforcement (and audit)', kind: 'ours', layers: { enforcement: false, audit: false } },
  { name: 'citizen-graph − subgraph shield', kind: 'ours', layers: { shield: false } },
  { name: 'citizen-graph − audit', kind: 'ours', layers: { audit: false } },
  { name: 'Hive Gateway', kind: 'hive' },
  { name: 'direct subgraph calls (floor)', kind: 'direct' },
];
const configurations = values.only ? ALL.filter((c) => values.only!.split(',').some((n) => c.name.includes(n.trim()))) : ALL;

interface Measured extends LoadResult {
  sqlPerRequest: Record<string, number>;
  /** CPU milliseconds per completed request during the measured run: the gateway's process, and the subgraphs' host. */
  gatewayCpuMs?: number;
  subgraphCpuMs?: number;
}

/** Requests sent one at a time to count SQL statements exactly (under load, requests in flight would blur it). */
const SQL_PROBE_REQUESTS = 10;
/**
 * Peers forward context tokens signed at their start, which subgraphs accept for 60 s: a peer is restarted
 * before a measurement that would outlive its tokens (with room for warm-up, settling and the SQL probe).
 */
const TOKEN_LIFETIME_MS = 60_000;
const measurementMs = (scenario: Scenario) => (Math.max(settings.duration, scenario.minDurationSeconds ?? 0) + 15) * 1_000;


/** The gateway under test, started once per round and measured on every scenario. */
interface Target extends GatewayHostStarted {
  startedAt: number;
  pid: number | undefined;
  subgraphs: Host<Record<SubgraphName, string>>;
  close(): Promise<void>;
}

interface Run {
  databases: ScratchDatabases;
  /** Hive Gateway's CLI, once installed (the install may still be running). */
  hiveBin: Promise<string> | undefined;
  privateKey: CryptoKey;
  /** The subgraphs, with the shield and without (for the configuration that leaves it out), started once per benchmark. */
  subgraphs(shield: boolean): Promise<Host<Record<SubgraphName, string>>>;
}

async function startTarget(configuration: Configuration, run: Run): Promise<Target> {
  const subgraphs = await run.subgraphs(configuration.kind !== 'ours' || configuration.layers.shield !== false);
  const subgraphUrls = subgraphs.started;
  const startedAt = Date.now();
  if (configuration.kind === 'ours') {
    const { enforcement = true, audit = true } = configuration.layers;
    const host = await startHost<GatewayHostStarted>(GATEWAY_HOST, {
      kind: 'ours', subgraphUrls, privateKey: await exportJWK(run.privateKey), layers: { enforcement, audit }, auditDatabaseUrl: run.databases.urls.audit,
    } satisfies GatewayHostOptions, nodeArgs);
    return { ...host.started, startedAt, pid: host.pid, subgraphs, close: host.close };
  }
  const tokens = await signBenchTokens(SUBGRAPH_NAMES, run.privateKey);
  if (configuration.kind === 'hive') {
    const hive = await startHiveGateway(await run.hiveBin!, subgraphUrls, tokens);
    return { url: hive.url, headers: {}, startedAt, pid: hive.pid, subgraphs, close: hive.close };
  }
  const host = await startHost<GatewayHostStarted>(GATEWAY_HOST, { kind: configuration.kind, subgraphUrls, tokens } satisfies GatewayHostOptions, nodeArgs);
  return { ...host.started, startedAt, pid: host.pid, subgraphs, close: host.close };
}

/** Waits (5 s at most) until the subgraphs have sent no statement for 150 ms: no request of the last run is still at work. */
async function quiescent(subgraphs: Host<Record<SubgraphName, string>>): Promise<void> {
  const total = async () => Object.values(await subgraphs.request<Record<string, number>>('statements')).reduce((a, b) => a + b, 0);
  let last = await total();
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = await total();
    if (now === last) return;
    last = now;
  }
}

async function measure(target: Target, scenario: Scenario): Promise<Measured> {
  const connections = scenario.connections ?? settings.connections;
  // A quick run is a smoke check: it keeps to its own short duration.
  const durationSeconds = quick ? settings.duration : Math.max(settings.duration, scenario.minDurationSeconds ?? 0);
  // Warm up: plans, document caches, connection pools, JIT.
  await runLoad({ url: target.url, connections, durationSeconds: quick ? 0.5 : 1, next: requestsFor(scenario, target.headers) });
  const cpuBefore = [cpuSeconds(target.pid), cpuSeconds(target.subgraphs.pid)];
  const result = await runLoad({ url: target.url, connections, durationSeconds, next: requestsFor(scenario, target.headers) });
  const cpuAfter = [cpuSeconds(target.pid), cpuSeconds(target.subgraphs.pid)];
  const perRequest = (i: number) =>
    cpuBefore[i] === undefined || cpuAfter[i] === undefined || !result.requests ? undefined : Math.round(((cpuAfter[i]! - cpuBefore[i]!) / result.requests) * 1e4) / 10;
  // autocannon does not wait for the requests it abandons at the end: let them finish before counting.
  await quiescent(target.subgraphs);
  const probe = scenario.sqlProbeRequests ?? SQL_PROBE_REQUESTS;
  await target.subgraphs.request('resetStatements');
  await runSequential({ url: target.url, count: probe, next: requestsFor(scenario, target.headers) });
  const statements = await target.subgraphs.request<Record<string, number>>('statements');
  const sqlPerRequest = Object.fromEntries(Object.entries(statements).map(([name, n]) => [name, Math.round((n / probe) * 10) / 10]));
  return { ...result, sqlPerRequest, gatewayCpuMs: perRequest(0), subgraphCpuMs: perRequest(1) };
}

function table(scenario: string, results: Record<string, Measured>): string {
  const base = results[BASELINE]?.rps;
  const lines = [
    `### ${scenario}`,
    '',
    `| configuration | rps | p50 ms | p99 ms | errors | × plain Apollo Gateway | CPU ms / request: gateway, subgraphs | SQL / request (${Object.keys(Object.values(results)[0]?.sqlPerRequest ?? {}).join(', ')}) |`,
    '|---|---:|---:|---:|---|---:|---:|---|',
  ];
  for (const [name, r] of Object.entries(results)) {
    const errors = Object.entries(r.errors).map(([code, n]) => `${code}: ${n}`).join(', ') || '0';
    const ratio = base ? (r.rps / base).toFixed(2) : '–';
    lines.push(`| ${name} | ${r.rps.toFixed(r.rps < 10 ? 1 : 0)} | ${r.p50} | ${r.p99} | ${errors} | ${ratio} | ${r.gatewayCpuMs ?? '–'}, ${r.subgraphCpuMs ?? '–'} | ${Object.values(r.sqlPerRequest).join(', ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  if (configurations.some((c) => c.kind !== 'ours') && settings.duration + 15 > TOKEN_LIFETIME_MS / 1_000) {
    throw new Error(`--duration ${settings.duration} is too long for the peers: the context tokens they forward live ${TOKEN_LIFETIME_MS / 1_000} s`);
  }
  const started = Date.now();
  const log = (line: string) => console.log(line);
  const hiveBin = configurations.some((c) => c.kind === 'hive') ? ensureHiveInstalled(log) : undefined;
  hiveBin?.catch(() => {}); // awaited where used; not an unhandled rejection meanwhile
  // A full run measures on a quiet machine: install first. A quick run overlaps the install with the first configurations.
  if (!quick) await hiveBin;
  log(`seeding ${settings.citizens.toLocaleString('en')} citizens into a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: settings.citizens });
  const report: Record<string, Record<string, Measured & { runs: Measured[] }>> = {};
  const markdown: string[] = [
    `# citizen-graph benchmark, ${new Date().toISOString()}`,
    '',
    `${settings.citizens} citizens, ${settings.connections} connections, ${settings.duration} s per run, ${settings.rounds} round(s), configurations alternating; medians. Node ${process.version}.`,
    '',
  ];
  const hosts = new Map<boolean, Promise<Host<Record<SubgraphName, string>>>>();
  try {
    // One key pair for the benchmark: our gateway signs with it, peers forward tokens signed with it.
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const run: Run = {
      databases,
      hiveBin,
      privateKey,
      subgraphs(shield) {
        if (!hosts.has(shield)) hosts.set(shield, startHost(SUBGRAPH_HOST, { databases: databases.urls, publicKey: publicJwk, shield } satisfies SubgraphHostOptions, subgraphNodeArgs));
        return hosts.get(shield)!;
      },
    };
    const citizens = await sampleAdults(databases.urls.identity, 2_000);
    const all = scenarios(citizens).filter((s) => !values.scenarios || values.scenarios.split(',').some((n) => s.name.startsWith(`${n.trim()} `)));
    const runs = new Map<string, Map<string, Measured[]>>(all.map((s) => [s.name, new Map()]));
    // Each round starts every configuration in turn (alternating, so drift in the machine hits all alike) and measures it on every scenario.
    for (let round = 0; round < settings.rounds; round++) {
      for (const configuration of configurations) {
        let target: Target | undefined;
        try {
          for (const scenario of all.filter((s) => configuration.kind !== 'direct' || s.direct)) {
            if (target && configuration.kind !== 'ours' && Date.now() - target.startedAt + measurementMs(scenario) > TOKEN_LIFETIME_MS) {
              await target.close();
              target = undefined;
            }
            target ??= await startTarget(configuration, run);
            const result = await measure(target, scenario);
            const byConfiguration = runs.get(scenario.name)!;
            byConfiguration.set(configuration.name, [...(byConfiguration.get(configuration.name) ?? []), result]);
            log(`[${scenario.name}] round ${round + 1}/${settings.rounds} ${configuration.name}: ${result.rps.toFixed(0)} rps, p99 ${result.p99} ms${Object.keys(result.errors).length ? `, errors ${JSON.stringify(result.errors)}` : ''}`);
          }
        } finally {
          await target?.close();
        }
      }
    }
    for (const [scenario, byConfiguration] of runs) {
      const cpuMedian = (measured: Measured[], key: 'gatewayCpuMs' | 'subgraphCpuMs') =>
        measured.every((m) => m[key] !== undefined) ? Math.round(median(measured.map((m) => m[key]!)) * 10) / 10 : undefined;
      report[scenario] = Object.fromEntries(
        [...byConfiguration].map(([name, measured]) => [name, { ...summarize(measured), gatewayCpuMs: cpuMedian(measured, 'gatewayCpuMs'), subgraphCpuMs: cpuMedian(measured, 'subgraphCpuMs') }]),
      );
      const section = table(scenario, report[scenario]);
      markdown.push(section, '');
      log(`\n${section}\n`);
    }
  } finally {
    await Promise.all([...hosts.values()].map((host) => host.then((h) => h.close(), () => {})));
    await databases.stop();
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(new URL(`./results/bench-${stamp}.json`, import.meta.url), JSON.stringify({ settings, report }, null, 2));
  writeFileSync(new URL(`./results/bench-${stamp}.md`, import.meta.url), markdown.join('\n'));
  log(`results: bench/results/bench-${stamp}.{json,md} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.message}`);
  process.exitCode = 1;
});
