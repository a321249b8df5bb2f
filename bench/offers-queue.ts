/**
 * The offers batch on the job queue with 1, 2 and 4 worker processes.
 *
 *   npx tsx bench/offers-queue.ts [--citizens 20000] [--page-size 500] [--concurrency 2] [--rounds 2]
 *
 * A fresh embedded PostgreSQL, seeded; the subgraphs and the gateway in this
 * process, as `npm start` runs them; the queue's own database beside the
 * agencies'. Each worker is its own process (`system/start-offers.ts`, what a
 * replica runs), taking `--concurrency` page jobs at once. Each measurement
 * enqueues a fresh run and times it from enqueue to finished, once the workers
 * are ready. Two warm-up runs first bring the population to its fixed point
 * (the first runs write most offers), so every measured run does the same work.
 * Worker counts alternate over rounds (1,2,4 then 4,2,1); medians are reported.
 */
import '../system/terminal-defaults.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../offers/gateway-client.ts';
import { startOffersQueue } from '../offers/queue.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { startServices } from '../system/services.ts';
import { freePort } from '../platform/free-port.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '20000' },
    'page-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
  },
});
const citizens = Number(values.citizens);
const pageSize = Number(values['page-size']);
const rounds = Number(values.rounds);
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

console.log(`seeding ${citizens.toLocaleString('en')} citizens into a fresh embedded PostgreSQL…`);
const scratch = await startScratchDatabases({ citizens, seed: 42 });
const admin = new pg.Client({ connectionString: scratch.superuserUrl });
await admin.connect();
await admin.query('CREATE DATABASE offers_queue');
await admin.end();
const queueUrl = Object.assign(new URL(scratch.superuserUrl), { pathname: '/offers_queue' }).toString();
const system = await startServices({ databases: scratch.urls, gatewayPort: 0, lifeEvents: false });
const client = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));

async function startWorker(): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'system/start-offers.ts'], {
    env: { ...process.env, DATABASE_URL_OFFERS: queueUrl, GATEWAY_URL: system.gateway.url, OIDC_ISSUER: system.identityProvider.issuer, OFFERS_PORT: String(port), OFFERS_CONCURRENCY: values.concurrency, OFFERS_DAILY_CRON: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const deadline = Date.now() + 60_000; ; ) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
    if (ok) return child;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('an offers worker did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
try {
  console.log('warm-up: two runs to the population\'s fixed point…');
  await runBatch(client, { runId: 'warm-up-1', pageSize: 1000, concurrency: 4 });
  // The second warm-up, at the fixed point, is the reference: the same work in this process, without the queue.
  const reference = await runBatch(client, { runId: 'warm-up-2', pageSize, concurrency: 2 });
  const inProcess = reference.evaluated / (reference.elapsedMs / 1000);
  const enqueuer = await startOffersQueue({ databaseUrl: queueUrl, client, concurrency: 0 });
  const rates = new Map<number, number[]>([[1, []], [2, []], [4, []]]);
  let run = 0;
  for (let round = 0; round < rounds; round++) {
    for (const workers of round % 2 === 0 ? [1, 2, 4] : [4, 2, 1]) {
      const children = await Promise.all(Array.from({ length: workers }, startWorker));
      try {
        const runId = `bench-queue-${++run}`;
        const started = Date.now();
        await enqueuer.enqueueRun(runId, pageSize);
        const done = await enqueuer.finished(runId, 50);
        const rate = done.citizens / ((Date.now() - started) / 1000);
        rates.get(workers)!.push(rate);
        console.log(`  round ${round + 1}: ${workers} worker(s): ${done.citizens.toLocaleString('en')} citizens, ${Math.round(rate).toLocaleString('en')} citizens/s`);
      } finally {
        for (const c of children) c.kill('SIGTERM');
        await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
      }
    }
  }
  await enqueuer.stop();
  const base = median(rates.get(1)!);
  console.log(`\noffers batch on the job queue, ${citizens.toLocaleString('en')} citizens, pages of ${pageSize}, ${values.concurrency} page jobs per worker (median of ${rounds}):`);
  for (const [workers, xs] of rates) console.log(`  ${workers} worker(s): ${Math.round(median(xs)).toLocaleString('en')} citizens/s  (×${(median(xs) / base).toFixed(2)}; runs: ${xs.map(Math.round).join(', ')})`);
  console.log(`  reference, the in-process batch (no queue, 2 pages at once): ${Math.round(inProcess).toLocaleString('en')} citizens/s`);
} finally {
  await system.close();
  await scratch.stop();
}
