/**
 * `npm run bench [-- --quick]`: the graph side by side with plain Apollo
 * Gateway (over our secured subgraphs, and over plain ones), Hive Gateway (its
 * default runtime and its router runtime) and direct subgraph calls, the cost
 * of each of our layers, and our gateway in 1 and 2 processes, measured in one
 * run on one machine (only such ratios mean anything). Configurations
 * alternate within each round; medians are reported.
 *
 * Process layout, the same for every configuration: this process generates the
 * load, one host process serves the five subgraphs (one host per subgraph
 * security: ours with every check, ours without the shield, the peers' (one forwarded token), plain), and the gateway under test
 * has a process of its own (as Hive Gateway's CLI does), or a cluster primary
 * and its workers, so no gateway shares its event loop with the load generator
 * or the subgraphs. The identity provider our gateway trusts has one more
 * (hosts/identity-provider.ts), as deployed.
 *
 * Requests per core-second: completed requests divided by the CPU seconds that
 * every process under test spent in the measured window: the gateway's
 * process tree (with cluster workers), the subgraph host, and PostgreSQL's
 * server processes (cpu.ts). The load generator is not counted.
 *
 * Options: --quick (one short round, about 2–3 minutes: a smoke check) | --citizens N --duration S --rounds R --connections C
 *          --only name,name (configuration names, see below) --scenarios 1,2 --gateway-node-args=--cpu-prof --subgraph-node-args=…
 * Output: a table on stdout, and bench/results/bench-<time>.{json,md}.
 */
import '../system/terminal-defaults.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startScratchDatabases, type ScratchDatabases } from '../system/scratch-databases.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/topology.ts';
import { startHost, type Host } from './lib/child-process.ts';
import type { GatewayHostOptions, GatewayHostStarted } from './lib/hosts/gateway.ts';
import type { IdentityProviderHostStarted } from './lib/hosts/identity-provider.ts';
import type { SubgraphHostOptions, SubgraphSecurity } from './lib/hosts/subgraphs.ts';
import { median, runLoad, runSequential, summarize, type LoadResult } from './lib/load.ts';
import { postgresServerPid, treeCpuSeconds } from './lib/cpu.ts';
import { ensureHiveInstalled, signBenchTokens, startHiveGateway, type HiveRuntime } from './lib/peers.ts';
import { requestsFor, sampleAdults, scenarios, type Scenario } from './lib/scenarios.ts';
import { BENCH_ACTOR, BENCH_CLIENT, BENCH_ENTITLEMENT } from './lib/bench-policy.ts';

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
const IDENTITY_PROVIDER_HOST = new URL('./lib/hosts/identity-provider.ts', import.meta.url);

type Layers = { enforcement?: boolean; shield?: boolean; audit?: boolean };
type Configuration =
  | { name: string; kind: 'ours'; layers: Layers; processes?: number }
  /** Plain @apollo/gateway over our secured subgraphs (forwarding a token the benchmark signed), or over plain ones (no shield, no token). */
  | { name: string; kind: 'apollo'; subgraphs: 'secured' | 'plain' }
  | { name: string; kind: 'hive'; runtime: HiveRuntime }
  | { name: string; kind: 'direct' };

const BASELINE = 'plain @apollo/gateway';
const ALL: Configuration[] = [
  { name: BASELINE, kind: 'apollo', subgraphs: 'secured' },
  { name: 'citizen-graph (all layers)', kind: 'ours', layers: {} },
  { name: 'citizen-graph (all layers), 2 gateway processes', kind: 'ours', layers: {}, processes: 2 },
  // The audit record is built from the enforcement walk: without enforcement there is no audit either.
  { name: 'citizen-graph − gateway enforcement (and audit)', kind: 'ours', layers: { enforcement: false, audit: false } },
  { name: 'citizen-graph − subgraph shield', kind: 'ours', layers: { shield: false } },
  { name: 'citizen-graph − audit', kind: 'ours', layers: { audit: false } },
  { name: 'plain @apollo/gateway over plain subgraphs', kind: 'apollo', subgraphs: 'plain' },
  { name: 'Hive Gateway', kind: 'hive', runtime: 'default' },
  { name: 'Hive Gateway, router runtime', kind: 'hive', runtime: 'router' },
  { name: 'direct subgraph calls (floor)', kind: 'direct' },
];
const configurations = values.only ? ALL.filter((c) => values.only!.split(',').some((n) => c.name.includes(n.trim()))) : ALL;

/** The subgraphs a configuration calls: ours with every check (or without the shield); peers' with the shield and the signature of the one token they forward, or plain ones. */
const subgraphSecurity = (c: Configuration): SubgraphSecurity =>
  c.kind === 'ours' ? (c.layers.shield === false ? 'no-shield' : 'secured') : c.kind === 'apollo' && c.subgraphs === 'plain' ? 'plain' : 'forwarded';
/** Peers over secured subgraphs forward tokens the benchmark signed for them; they expire (see TOKEN_LIFETIME_MS). */
const forwardsTokens = (c: Configuration) => c.kind !== 'ours' && subgraphSecurity(c) !== 'plain';

/** The processes under test, in the groups the table reports. */
const CPU_GROUPS = ['gateway', 'subgraphs', 'postgres'] as const;
type CpuGroup = (typeof CPU_GROUPS)[number];
type CpuMs = Partial<Record<CpuGroup, number>>;

interface Measured extends LoadResult {
  sqlPerRequest: Record<string, number>;
  /** CPU milliseconds per completed request during the measured run, per process group (absent where it could not be read). */
  cpuMs: CpuMs;
  /** Completed requests per CPU second of all groups together (absent unless every group was read). */
  perCoreSecond?: number;
}

/**
 * Seconds of load before the measured run. Every gateway starts cold (plans, document caches, connection pools,
 * JIT). A subgraph host is started once and then shared: the first configuration to use it on a scenario would
 * also pay for the host's cold start (in one quick run of 3 rounds, round 1 ran at a third of the rps of rounds 2 and 3), so that first warm-up is longer.
 */
const WARM_UP_SECONDS = quick ? 0.5 : 1;
const FIRST_USE_OF_HOST_WARM_UP_SECONDS = quick ? 3 : 5;

/** Requests sent one at a time to count SQL statements exactly (under load, requests in flight would blur it). */
const SQL_PROBE_REQUESTS = 10;
/**
 * Peers forward context tokens signed at their start, which subgraphs accept for 60 s: a peer is restarted
 * before a measurement that would outlive its tokens (with room for warm-up, settling and the SQL probe).
 */
const TOKEN_LIFETIME_MS = 60_000;
const measurementMs = (scenario: Scenario) => (Math.max(settings.duration, scenario.minDurationSeconds ?? 0) + FIRST_USE_OF_HOST_WARM_UP_SECONDS + 15) * 1_000;


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
  /** PostgreSQL's main process (undefined off Linux): its tree is the PostgreSQL group of the CPU figures. */
  postgresPid: number | undefined;
  /** The subgraphs in each security a configuration needs, each host started once per benchmark. */
  subgraphs(security: SubgraphSecurity): Promise<Host<Record<SubgraphName, string>>>;
  /** The identity provider our gateway trusts, in a process of its own, started once per benchmark. */
  identityProvider(): Promise<Host<IdentityProviderHostStarted>>;
}

async function startTarget(configuration: Configuration, run: Run): Promise<Target> {
  const subgraphs = await run.subgraphs(subgraphSecurity(configuration));
  const subgraphUrls = subgraphs.started;
  const startedAt = Date.now();
  if (configuration.kind === 'ours') {
    const { enforcement = true, audit = true } = configuration.layers;
    const identityProvider = await run.identityProvider();
    const bearer = await identityProvider.request<string>('issue', { sub: BENCH_ACTOR, client: BENCH_CLIENT, acr: 'high', actor: 'staff', entitlements: [BENCH_ENTITLEMENT] });
    const host = await startHost<GatewayHostStarted>(GATEWAY_HOST, {
      kind: 'ours', subgraphUrls, privateKey: await exportJWK(run.privateKey), layers: { enforcement, audit }, auditDatabaseUrl: run.databases.urls.audit,
      processes: configuration.processes ?? 1, issuer: identityProvider.started.issuer, bearer,
    } satisfies GatewayHostOptions, nodeArgs);
    return { ...host.started, startedAt, pid: host.pid, subgraphs, close: host.close };
  }
  const tokens = forwardsTokens(configuration) ? await signBenchTokens(SUBGRAPH_NAMES, run.privateKey) : undefined;
  if (configuration.kind === 'hive') {
    const hive = await startHiveGateway(await run.hiveBin!, subgraphUrls, tokens!, configuration.runtime);
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

async function measure(target: Target, scenario: Scenario, postgresPid: number | undefined, warmUpSeconds: number): Promise<Measured> {
  const connections = scenario.connections ?? settings.connections;
  const durationSeconds = quick ? settings.duration : Math.max(settings.duration, scenario.minDurationSeconds ?? 0);
  // A quick run is a smoke check: it keeps to its own short duration, except for a slow scenario (pages of 1,000),
  // where it would complete no request: that one gets waves of requests (one per connection), each waited for.
  const waves = quick && scenario.minDurationSeconds !== undefined;
  const plan = (seconds: number, wavesOf: number) => (waves ? { durationSeconds: 0, amount: wavesOf * connections } : { durationSeconds: seconds });
  await runLoad({ url: target.url, connections, ...plan(warmUpSeconds, warmUpSeconds > WARM_UP_SECONDS ? 2 : 1), next: requestsFor(scenario, target.headers) });
  // Requests the warm-up abandoned at its end must not run into the measured window.
  await quiescent(target.subgraphs);
  const processes: Record<CpuGroup, number | undefined> = { gateway: target.pid, subgraphs: target.subgraphs.pid, postgres: postgresPid };
  const cpuBefore = treeCpuSeconds(processes);
  const result = await runLoad({ url: target.url, connections, ...plan(durationSeconds, 1), next: requestsFor(scenario, target.headers) });
  const cpuAfter = treeCpuSeconds(processes);
  const spent = CPU_GROUPS.map((g) => (cpuBefore[g] === undefined || cpuAfter[g] === undefined ? undefined : cpuAfter[g]! - cpuBefore[g]!));
  const cpuMs: CpuMs = {};
  CPU_GROUPS.forEach((g, i) => {
    if (spent[i] !== undefined && result.requests) cpuMs[g] = Math.round((spent[i]! / result.requests) * 1e4) / 10;
  });
  const total = spent.every((s) => s !== undefined) ? spent.reduce((a, b) => a! + b!, 0)! : undefined;
  const perCoreSecond = total ? Math.round((result.requests / total) * 10) / 10 : undefined;
  // autocannon does not wait for the requests it abandons at the end: let them finish before counting.
  await quiescent(target.subgraphs);
  const probe = waves ? 1 : (scenario.sqlProbeRequests ?? SQL_PROBE_REQUESTS);
  await target.subgraphs.request('resetStatements');
  await runSequential({ url: target.url, count: probe, next: requestsFor(scenario, target.headers) });
  const statements = await target.subgraphs.request<Record<string, number>>('statements');
  const sqlPerRequest = Object.fromEntries(Object.entries(statements).map(([name, n]) => [name, Math.round((n / probe) * 10) / 10]));
  return { ...result, sqlPerRequest, cpuMs, perCoreSecond };
}

const CPU_NOTE =
  'requests / core-second: completed requests divided by the CPU seconds (user + system, from /proc) spent in the measured window by the gateway ' +
  '(its process, or a node:cluster primary and its workers), the subgraph host (all five subgraphs) and PostgreSQL (its main process, backends and background ' +
  'processes); the load generator is not counted. CPU ms / request gives the same per group. More per core-second means less hardware for the same traffic.';

function table(scenario: string, results: Record<string, Measured>): string {
  const base = results[BASELINE]?.rps;
  const fixed = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(n < 10 ? 1 : 0));
  const lines = [
    `### ${scenario}`,
    '',
    `| configuration | rps | × plain Apollo Gateway | p50 ms | p99 ms | requests / core-second | CPU ms / request: gateway, subgraphs, PostgreSQL | errors | SQL / request (${Object.keys(Object.values(results)[0]?.sqlPerRequest ?? {}).join(', ')}) |`,
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const [name, r] of Object.entries(results)) {
    const errors = Object.entries(r.errors).map(([code, n]) => `${code}: ${n}`).join(', ') || '0';
    const ratio = base ? (r.rps / base).toFixed(2) : '–';
    const cpu = CPU_GROUPS.map((g) => r.cpuMs[g] ?? '–').join(', ');
    lines.push(`| ${name} | ${fixed(r.rps)} | ${ratio} | ${r.p50} | ${r.p99} | ${fixed(r.perCoreSecond)} | ${cpu} | ${errors} | ${Object.values(r.sqlPerRequest).join(', ')} |`);
  }
  lines.push('', CPU_NOTE);
  return lines.join('\n');
}

async function main() {
  if (configurations.some(forwardsTokens) && settings.duration + FIRST_USE_OF_HOST_WARM_UP_SECONDS + 15 > TOKEN_LIFETIME_MS / 1_000) {
    throw new Error(`--duration ${settings.duration} is too long for the peers: the context tokens they forward live ${TOKEN_LIFETIME_MS / 1_000} s`);
  }
  const started = Date.now();
  const log = (line: string) => console.log(line);
  const hiveBin = configurations.some((c) => c.kind === 'hive') ? ensureHiveInstalled(log) : undefined;
  hiveBin?.catch(() => {}); // awaited where used; not an unhandled rejection meanwhile
  // A full run installs first, on a quiet machine. A quick run seeds meanwhile; both wait for the install before
  // measuring (npm beside the first configurations would weigh on their figures and the ratios to them).
  if (!quick) await hiveBin;
  log(`seeding ${settings.citizens.toLocaleString('en')} citizens into a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: settings.citizens });
  const report: Record<string, Record<string, Measured & { runs: Measured[] }>> = {};
  const markdown: string[] = [
    `# citizen-graph benchmark, ${new Date().toISOString()}`,
    '',
    `${settings.citizens} citizens, ${settings.connections} connections, ${settings.duration} s per run, ${settings.rounds} round(s), configurations alternating; medians. Node ${process.version}, ${availableParallelism()} cores.`,
    '',
  ];
  const hosts = new Map<SubgraphSecurity, Promise<Host<Record<SubgraphName, string>>>>();
  let identityProvider: Promise<Host<IdentityProviderHostStarted>> | undefined;
  try {
    await hiveBin;
    // One key pair for the benchmark: our gateway signs with it, peers forward tokens signed with it.
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const run: Run = {
      databases,
      hiveBin,
      privateKey,
      postgresPid: await postgresServerPid(databases.superuserUrl),
      subgraphs(security) {
        if (!hosts.has(security)) hosts.set(security, startHost(SUBGRAPH_HOST, { databases: databases.urls, publicKey: publicJwk, security } satisfies SubgraphHostOptions, subgraphNodeArgs));
        return hosts.get(security)!;
      },
      identityProvider: () => (identityProvider ??= startHost(IDENTITY_PROVIDER_HOST, {})),
    };
    const citizens = await sampleAdults(databases.urls.identity, 2_000);
    const all = scenarios(citizens).filter((s) => !values.scenarios || values.scenarios.split(',').some((n) => s.name.startsWith(`${n.trim()} `)));
    const runs = new Map<string, Map<string, Measured[]>>(all.map((s) => [s.name, new Map()]));
    /** Subgraph host and scenario pairs already warmed up (see FIRST_USE_OF_HOST_WARM_UP_SECONDS). */
    const warmed = new Set<string>();
    // Each round starts every configuration in turn (alternating, so drift in the machine hits all alike) and measures it on every scenario.
    for (let round = 0; round < settings.rounds; round++) {
      for (const configuration of configurations) {
        let target: Target | undefined;
        try {
          for (const scenario of all.filter((s) => configuration.kind !== 'direct' || s.direct)) {
            if (target && forwardsTokens(configuration) && Date.now() - target.startedAt + measurementMs(scenario) > TOKEN_LIFETIME_MS) {
              await target.close();
              target = undefined;
            }
            target ??= await startTarget(configuration, run);
            const firstUse = `${subgraphSecurity(configuration)} ${scenario.name}`;
            const result = await measure(target, scenario, run.postgresPid, warmed.has(firstUse) ? WARM_UP_SECONDS : FIRST_USE_OF_HOST_WARM_UP_SECONDS);
            warmed.add(firstUse);
            const byConfiguration = runs.get(scenario.name)!;
            byConfiguration.set(configuration.name, [...(byConfiguration.get(configuration.name) ?? []), result]);
            log(`[${scenario.name}] round ${round + 1}/${settings.rounds} ${configuration.name}: ${result.rps.toFixed(0)} rps, p99 ${result.p99} ms, ${result.perCoreSecond ?? '–'} requests/core-second${Object.keys(result.errors).length ? `, errors ${JSON.stringify(result.errors)}` : ''}`);
          }
        } finally {
          await target?.close();
        }
      }
    }
    for (const [scenario, byConfiguration] of runs) {
      const medianOf = (values: (number | undefined)[]) => (values.every((v) => v !== undefined) ? Math.round(median(values as number[]) * 10) / 10 : undefined);
      const cpuMedians = (measured: Measured[]): CpuMs =>
        Object.fromEntries(CPU_GROUPS.map((g) => [g, medianOf(measured.map((m) => m.cpuMs[g]))]).filter(([, v]) => v !== undefined));
      report[scenario] = Object.fromEntries(
        [...byConfiguration].map(([name, measured]) => [name, { ...summarize(measured), cpuMs: cpuMedians(measured), perCoreSecond: medianOf(measured.map((m) => m.perCoreSecond)) }]),
      );
      const section = table(scenario, report[scenario]);
      markdown.push(section, '');
      log(`\n${section}\n`);
    }
  } finally {
    await Promise.all([...hosts.values(), ...(identityProvider ? [identityProvider] : [])].map((host: Promise<Host<unknown>>) => host.then((h) => h.close(), () => {})));
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
