/**
 * Soak: the system as deployed — gateway, every subgraph and the audit
 * witness in its own process (system/start-gateway.ts, start-subgraph.ts,
 * start-witness.ts), over a scratch PostgreSQL, the audit log checkpointed
 * and witnessed — under steady load for as long as asked. A portal-like mix:
 * mostly the unified view of a different citizen each time, plus requests
 * the gateway must refuse (another citizen's id, an alias flood).
 * Every minute it prints, per process, RSS, V8 heap (used and total),
 * external memory, active handles and event-loop lag (p99),
 * from each process's /metrics; at the end throughput, latency and errors.
 * With --heap-snapshots the gateway writes a V8 heap snapshot after warm-up
 * and at the end (into --snapshot-dir), to compare in Chrome's DevTools.
 *
 *   npx tsx bench/soak.ts [--duration 60] [--connections 20] [--citizens 5000] [--log-level warn]
 *                         [--heap-snapshots] [--snapshot-dir /tmp]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import cliProgress from 'cli-progress';
import { SUBGRAPH_NAMES, subgraphDatabase } from '../platform/topology.ts';
import { generateContextKeyPair } from '../platform/context-keys.ts';
import { freePort } from '../platform/free-port.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { sampleAdults, UNIFIED_VIEW_QUERY } from './lib/scenarios.ts';
import { formatSignerKey, formatVerifierKey, generateSigner } from '../platform/tlog/note.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '20' },
    citizens: { type: 'string', default: '5000' },
    'log-level': { type: 'string', default: 'warn' },
    'heap-snapshots': { type: 'boolean', default: false },
    'snapshot-dir': { type: 'string', default: tmpdir() },
    // Extra environment for the gateway process, e.g. MALLOC_ARENA_MAX=2 (KEY=VALUE, repeatable).
    'gateway-env': { type: 'string', multiple: true, default: [] },
  },
});
const DURATION = Math.max(60, Number(values.duration));
if (!Number.isFinite(DURATION)) throw new Error('--duration is a number of seconds');

/** Answers that are correct refusals in this mix (counted, reported apart from failures). */
const EXPECTED = new Set(['UNAUTHORIZED_FIELD_OR_TYPE', 'GRAPHQL_VALIDATION_FAILED']);

interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
}

function startProcess(name: string, script: string, args: string[], env: Record<string, string>, port: number, nodeFlags: string[] = []): Proc {
  // node with tsx's loader (not the tsx wrapper), so the pid is the service's own.
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: values['log-level']!, APOLLO_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { name, port, child };
}

async function waitReady(url: string, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready`);
}

interface Sample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  handles: number;
  lagP99: number;
}

async function sampleOf(proc: Proc): Promise<Sample> {
  const text = await (await fetch(`http://127.0.0.1:${proc.port}/metrics`)).text();
  const value = (metric: string) => Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: value('process_resident_memory_bytes'),
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
    handles: value('nodejs_active_handles_total'),
    lagP99: value('nodejs_eventloop_lag_p99_seconds'),
  };
}

const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : 'n/a');
const row = (minute: string, name: string, s: Sample, rps: number) =>
  `| ${minute} | ${name} | ${mb(s.rss)} | ${mb(s.heapUsed)} | ${mb(s.heapTotal)} | ${mb(s.external)} | ${s.handles} | ${(s.lagP99 * 1000).toFixed(1)} ms | ${rps} |`;
const HEADER = '| minute | process | RSS | heap used | heap total | external | handles | loop lag p99 | req/s |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|';

async function main() {
  console.log(`seeding ${values.citizens} citizens in a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: Number(values.citizens) });
  const procs: Proc[] = [];
  const cleanups: (() => void)[] = [];
  try {
    const keys = await generateContextKeyPair();
    const urls: Record<string, string> = {};
    for (const name of SUBGRAPH_NAMES) {
      const port = await freePort();
      const database = subgraphDatabase(name);
      procs.push(
        startProcess(name, 'system/start-subgraph.ts', [name], {
          [`DATABASE_URL_${database.toUpperCase()}`]: databases.urls[database],
          [`SUBGRAPH_PORT_${name.toUpperCase()}`]: String(port),
          GATEWAY_CONTEXT_PUBLIC_KEY: keys.publicPem,
        }, port),
      );
      urls[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${port}/graphql`;
    }
    // The audit log checkpointed and witnessed, as in production: a witness process with its own folder.
    const logKey = generateSigner('soak.citizen-graph/audit');
    const witnessKey = generateSigner('soak.citizen-graph/witness');
    const witnessDir = mkdtempSync(join(tmpdir(), 'soak-witness-'));
    cleanups.push(() => rmSync(witnessDir, { recursive: true, force: true }));
    const witnessPort = await freePort();
    procs.push(startProcess('witness', 'system/start-witness.ts', [], { WITNESS_PORT: String(witnessPort), WITNESS_KEY: formatSignerKey(witnessKey), WITNESS_DATA_DIR: witnessDir, WITNESS_LOG_KEYS: formatVerifierKey(logKey) }, witnessPort));
    const gatewayPort = await freePort();
    const extraEnv = Object.fromEntries((values['gateway-env'] ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
    const gateway = startProcess(
      'gateway',
      'system/start-gateway.ts',
      [],
      {
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem,
        DATABASE_URL_AUDIT: databases.urls.audit,
        AUDIT_LOG_KEY: formatSignerKey(logKey),
        AUDIT_WITNESSES: `http://127.0.0.1:${witnessPort} ${formatVerifierKey(witnessKey)}`,
        ...urls,
        ...extraEnv,
      },
      gatewayPort,
      values['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${values['snapshot-dir']}`] : [],
    );
    procs.push(gateway);
    const base = `http://127.0.0.1:${gatewayPort}`;
    for (const proc of procs) await waitReady(`http://127.0.0.1:${proc.port}/ready`, proc.name);

    const citizens = await sampleAdults(databases.urls.identity, 300);
    const tokens = await Promise.all(
      citizens.map(async (sub) => {
        const response = await fetch(`${base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, client: 'citizen-portal' }) });
        return ((await response.json()) as { token: string }).token;
      }),
    );
    const aliasFlood = `{ me { ${Array.from({ length: 60 }, (_, i) => `a${i}: givenName`).join(' ')} } }`;
    let i = 0;
    const nextRequest = () => {
      const n = i++;
      const token = tokens[n % tokens.length]!;
      // 90 % the unified view, 5 % another citizen's record (denied), 5 % an alias flood (refused).
      const kind = n % 20 === 7 ? 'other' : n % 20 === 13 ? 'flood' : 'view';
      const query = kind === 'view' ? UNIFIED_VIEW_QUERY : kind === 'other' ? `{ citizen(id: "${citizens[(n + 1) % citizens.length]}") { givenName annualIncome } }` : aliasFlood;
      return { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'self-service', 'content-type': 'application/json' }, body: JSON.stringify({ query }) };
    };

    // Warm-up (plans cached, pools filled) before the start figures.
    await autocannon({ url: `${base}/graphql`, connections: 5, duration: 3, method: 'POST', requests: [{ setupRequest: (r) => ({ ...r, method: 'POST', ...nextRequest() }) }] });
    const snapshot = async (label: string) => {
      if (!values['heap-snapshots']) return;
      gateway.child.kill('SIGUSR2');
      // Writing a snapshot blocks the process for a few seconds; wait until it answers again.
      await new Promise((r) => setTimeout(r, 1_000));
      await waitReady(`http://127.0.0.1:${gateway.port}/health`, 'gateway after its heap snapshot');
      console.log(`heap snapshot (${label}) written to ${values['snapshot-dir']}`);
    };
    await snapshot('after warm-up');
    const before = Object.fromEntries(await Promise.all(procs.map(async (p) => [p.name, await sampleOf(p)] as const)));
    console.log(`\nper minute (all processes compete with whatever else runs on this machine):\n\n${HEADER}`);
    for (const p of procs) console.log(row('0', p.name, before[p.name]!, 0));

    const codes: Record<string, number> = {};
    const count = (code: string) => (codes[code] = (codes[code] ?? 0) + 1);
    // A progress bar only on a terminal: the per-minute table is the record, and must stay readable in a file.
    const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: 'soak [{bar}] {value}/{total} s  {rps} req/s', clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
    let done = 0;
    let doneAtMinute = 0;
    const startedAt = Date.now();
    bar?.start(DURATION, 0, { rps: 0 });
    const ticker = setInterval(() => bar?.update(Math.min(DURATION, Math.round((Date.now() - startedAt) / 1000)), { rps: Math.round(done / ((Date.now() - startedAt) / 1000)) }), 1000);
    let minute = 0;
    const minutes = setInterval(() => {
      minute += 1;
      const rps = Math.round((done - doneAtMinute) / 60);
      doneAtMinute = done;
      void Promise.all(procs.map(async (p) => [p.name, await sampleOf(p).catch(() => undefined)] as const)).then((samples) => {
        const lines = samples.filter(([, s]) => s).map(([name, s]) => row(String(minute), name, s!, name === 'gateway' ? rps : 0));
        if (bar) bar.stop();
        console.log(lines.join('\n'));
        if (bar && minute * 60 < DURATION) bar.start(DURATION, Math.round((Date.now() - startedAt) / 1000), { rps });
      });
    }, 60_000);
    const result = await autocannon({
      url: `${base}/graphql`,
      connections: Number(values.connections),
      duration: DURATION,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => ({ ...request, method: 'POST', ...nextRequest() }),
          onResponse: (status, body) => {
            done++;
            if (status >= 500 || status < 200) return void count(`HTTP_${status}`);
            try {
              const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
              for (const code of new Set((parsed.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'))) count(code);
            } catch {
              count('INVALID_JSON');
            }
          },
        },
      ],
    });
    clearInterval(ticker);
    clearInterval(minutes);
    bar?.update(DURATION, { rps: Math.round(result.requests.average) });
    bar?.stop();
    const after = Object.fromEntries(await Promise.all(procs.map(async (p) => [p.name, await sampleOf(p)] as const)));
    await snapshot('at the end');

    const unexpected = Object.entries(codes).filter(([code]) => !EXPECTED.has(code));
    console.log(`\nsoak: ${DURATION} s, ${values.connections} connections, ${values.citizens} citizens, gateway + ${SUBGRAPH_NAMES.length} subgraphs as separate processes, reads audited`);
    console.log(`  requests      ${result.requests.total} (${result.non2xx} non-2xx, ${result.errors} connection errors, ${result.timeouts} timeouts)`);
    console.log(`  throughput    ${result.requests.average.toFixed(0)} req/s (mean), ${result.requests.p50} req/s (p50 second)`);
    console.log(`  latency       p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    console.log(`  expected refusals by code  ${Object.entries(codes).filter(([c]) => EXPECTED.has(c)).map(([c, n]) => `${c}: ${n}`).join(', ') || 'none'}`);
    console.log(`  errors by code             ${unexpected.map(([c, n]) => `${c}: ${n}`).join(', ') || 'none'}`);
    console.log('\n| process | RSS start | RSS end | heap used start | heap used end | external start | external end |\n|---|---:|---:|---:|---:|---:|---:|');
    for (const p of procs) {
      const [b, a] = [before[p.name]!, after[p.name]!];
      console.log(`| ${p.name} | ${mb(b.rss)} | ${mb(a.rss)} | ${mb(b.heapUsed)} | ${mb(a.heapUsed)} | ${mb(b.external)} | ${mb(a.external)} |`);
    }
    process.exitCode = unexpected.length ? 1 : 0;
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : Promise.resolve())));
    await databases.stop();
    for (const cleanup of cleanups) cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${(error as Error).message}`);
  process.exit(1);
});
