/**
 * `npm run bench [-- --quick]`: the graph side by side with plain Apollo
 * Gateway, Hive Gateway and direct subgraph calls, and the cost of each of our
 * layers, measured in one run on one machine (only such ratios mean anything).
 * Configurations alternate within each round; medians are reported.
 *
 * Options: --quick (about 2 minutes) | --citizens N --duration S --rounds R --connections C
 *          --offers-page N --only name,name (configuration names, see below)
 * Output: a table on stdout, and bench/results/bench-<time>.{json,md}.
 */
import '../system/terminal-defaults.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServices, type RunningSystem } from '../system/services.ts';
import { startScratchDatabases, type ScratchDatabases } from '../system/scratch-databases.ts';
import { BENCH_ACTOR, BENCH_CASE, BENCH_CLIENT, BENCH_PURPOSE, benchPolicy } from './lib/bench-policy.ts';
import { startDirectFloor } from './lib/direct.ts';
import { compareAlternating, runLoad, type LoadResult } from './lib/load.ts';
import { ensureHiveInstalled, signBenchTokens, startHiveGateway, startPlainApolloGateway, type Peer } from './lib/peers.ts';
import { requestsFor, sampleAdults, scenarios, type Scenario } from './lib/scenarios.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    citizens: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string', default: '20' },
    'offers-page': { type: 'string', default: '500' },
    only: { type: 'string' },
  },
});
const quick = values.quick;
const settings = {
  citizens: Number(values.citizens ?? (quick ? 5_000 : 20_000)),
  duration: Number(values.duration ?? (quick ? 2 : 10)),
  rounds: Number(values.rounds ?? (quick ? 1 : 3)),
  connections: Number(values.connections),
  offersPage: Number(values['offers-page']),
};

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
}

async function measure(configuration: Configuration, scenario: Scenario, databases: ScratchDatabases, hiveBin: string | undefined): Promise<Measured> {
  const system: RunningSystem = await startServices({
    databases: databases.urls,
    policy: benchPolicy(),
    gatewayPort: 0,
    subgraphPorts: { identity: 0, tax: 0, family: 0, benefits: 0 },
    // Peers and the floor get no gateway layers of ours; their subgraphs are the same as ours.
    layers: configuration.kind === 'ours' ? configuration.layers : { audit: false },
  });
  let peer: Peer | undefined;
  try {
    let url = system.gateway.url;
    let headers: Record<string, string> = {};
    if (configuration.kind === 'ours') {
      const token = await system.devIssuer.issue({ sub: BENCH_ACTOR, client: BENCH_CLIENT, acr: 'high' });
      headers = { authorization: `Bearer ${token}`, 'x-purpose': BENCH_PURPOSE, 'x-case-ref': BENCH_CASE };
    } else {
      const tokens = await signBenchTokens(system.subgraphs, system.contextSigningKey);
      peer =
        configuration.kind === 'apollo' ? await startPlainApolloGateway(system.subgraphs, tokens)
        : configuration.kind === 'hive' ? await startHiveGateway(hiveBin!, system.subgraphs, tokens)
        : await startDirectFloor(system.subgraphs, tokens);
      url = peer.url;
    }
    const next = requestsFor(scenario, headers);
    // Warm up: plans, document caches, connection pools, JIT.
    await runLoad({ url, connections: settings.connections, durationSeconds: 1, next });
    for (const subgraph of Object.values(system.subgraphs)) subgraph.db.resetStatementCount();
    const result = await runLoad({ url, connections: settings.connections, durationSeconds: settings.duration, next });
    const sqlPerRequest = Object.fromEntries(
      Object.values(system.subgraphs).map((s) => [s.name, result.requests ? Math.round((s.db.statements / result.requests) * 10) / 10 : 0]),
    );
    return { ...result, sqlPerRequest };
  } finally {
    await peer?.close();
    await system.close();
  }
}

function table(scenario: string, results: Record<string, Measured>): string {
  const base = results[BASELINE]?.rps;
  const lines = [
    `### ${scenario}`,
    '',
    `| configuration | rps | p50 ms | p99 ms | errors | × plain Apollo Gateway | SQL / request (${Object.keys(Object.values(results)[0]?.sqlPerRequest ?? {}).join(', ')}) |`,
    '|---|---:|---:|---:|---|---:|---|',
  ];
  for (const [name, r] of Object.entries(results)) {
    const errors = Object.entries(r.errors).map(([code, n]) => `${code}: ${n}`).join(', ') || '0';
    const ratio = base ? (r.rps / base).toFixed(2) : '–';
    lines.push(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${errors} | ${ratio} | ${Object.values(r.sqlPerRequest).join(', ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const started = Date.now();
  const log = (line: string) => console.log(line);
  const hiveBin = configurations.some((c) => c.kind === 'hive') ? ensureHiveInstalled(log) : undefined;
  log(`seeding ${settings.citizens.toLocaleString('en')} citizens into a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: settings.citizens });
  const report: Record<string, Record<string, Measured & { runs: Measured[] }>> = {};
  const markdown: string[] = [
    `# citizen-graph benchmark, ${new Date().toISOString()}`,
    '',
    `${settings.citizens} citizens, ${settings.connections} connections, ${settings.duration} s per run, ${settings.rounds} round(s), configurations alternating; medians. Node ${process.version}.`,
    '',
  ];
  try {
    const citizens = await sampleAdults(databases.urls.identity, 2_000);
    for (const scenario of scenarios(citizens, settings.offersPage)) {
      const applicable = configurations.filter((c) => c.kind !== 'direct' || scenario.direct);
      const byName = new Map(applicable.map((c) => [c.name, c]));
      report[scenario.name] = await compareAlternating([...byName.keys()], settings.rounds, async (name, round) => {
        const result = await measure(byName.get(name)!, scenario, databases, hiveBin);
        log(`[${scenario.name}] round ${round + 1}/${settings.rounds} ${name}: ${result.rps.toFixed(0)} rps, p99 ${result.p99} ms${Object.keys(result.errors).length ? `, errors ${JSON.stringify(result.errors)}` : ''}`);
        return result;
      });
      const section = table(scenario.name, report[scenario.name]!);
      markdown.push(section, '');
      log(`\n${section}\n`);
    }
  } finally {
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
