/**
 * The offers batch on the job queue (offers/queue.ts, pg-boss), through the
 * real gateway over a seeded scratch population: two workers share one run
 * and together find exactly what the independent reference finds, each page
 * once; enqueuing a run again starts nothing; a run whose workers stopped
 * half-way is finished by others from its page rows.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../../platform/free-port.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { startOffersQueue, type OffersQueue } from '../../offers/queue.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { referenceOffers, TRIPLE_SQL, type Triple } from './reference.ts';

let scratch: ScratchDatabases;
let system: TestSystem;
let benefits: pg.Client;
let queueUrl: string;
const engine = () => gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));

beforeAll(async () => {
  scratch = await startScratchDatabases({ citizens: 2_000, seed: 42 });
  system = await startTestSystem({ databases: scratch.urls });
  benefits = new pg.Client({ connectionString: scratch.urls.benefits });
  await benefits.connect();
  // The queue's own database, beside the agencies' on the scratch server.
  const admin = new pg.Client({ connectionString: scratch.superuserUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE offers_queue');
  await admin.end();
  const url = new URL(scratch.superuserUrl);
  url.pathname = '/offers_queue';
  queueUrl = url.toString();
}, 180_000);
afterAll(async () => {
  await benefits?.end();
  await system?.close();
  await scratch?.stop();
});

describe('offers batch on the job queue', () => {
  it('two workers share one run and find exactly the reference result, each page once', async () => {
    const expected = await referenceOffers(scratch.urls, scratch.today);
    const pagesBy: Map<number, number>[] = [new Map(), new Map()];
    const workers: OffersQueue[] = [];
    for (const seen of pagesBy) {
      workers.push(await startOffersQueue({ databaseUrl: queueUrl, client: engine(), concurrency: 2, pollingIntervalSeconds: 0.5, onPage: (_, page) => seen.set(page, (seen.get(page) ?? 0) + 1) }));
    }
    try {
      expect(await workers[0]!.enqueueRun('queue-run-1', 100)).toBe(true);
      expect(await workers[1]!.enqueueRun('queue-run-1', 100)).toBe(false);
      const done = await workers[1]!.finished('queue-run-1');
      expect(done).toMatchObject({ pages: 20, pagesDone: 20, citizens: 2_000, scanned: true, finished: true });
      // Every page evaluated exactly once, by one worker or the other, and both took part.
      const all = [...pagesBy[0]!.keys(), ...pagesBy[1]!.keys()].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect([...pagesBy[0]!.values(), ...pagesBy[1]!.values()].every((n) => n === 1)).toBe(true);
      expect(pagesBy[0]!.size).toBeGreaterThan(0);
      expect(pagesBy[1]!.size).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const { rows } = await benefits.query<{ t: Triple }>(
      `SELECT ${TRIPLE_SQL} AS t FROM offer WHERE status IN ('proposed', 'granted_automatically')`,
    );
    const found = new Set(rows.map((r) => r.t));
    expect(expected.size).toBeGreaterThan(50);
    expect([...found].filter((t) => !expected.has(t)).sort()).toEqual([]);
    expect([...expected].filter((t) => !found.has(t)).sort()).toEqual([]);
    // The benefits agency knows the run as finished (its finish expires what the run no longer found).
    const { rows: run } = await benefits.query(`SELECT evaluated::int AS evaluated FROM evaluation_run WHERE id = 'queue-run-1' AND finished_at IS NOT NULL`);
    expect(run).toEqual([{ evaluated: 2_000 }]);
  }, 180_000);

  it('a run whose only worker stopped half-way is finished by the next workers from its page rows', async () => {
    let pages = 0;
    const first = await startOffersQueue({ databaseUrl: queueUrl, client: engine(), concurrency: 1, pollingIntervalSeconds: 0.5, onPage: () => void (pages += 1) });
    await first.enqueueRun('queue-run-2', 250);
    while (pages < 2) await new Promise((r) => setTimeout(r, 50));
    await first.stop();
    const next = await startOffersQueue({ databaseUrl: queueUrl, client: engine(), concurrency: 2, pollingIntervalSeconds: 0.5 });
    try {
      const half = await next.progress('queue-run-2');
      expect(half!.pagesDone).toBeGreaterThanOrEqual(2);
      expect(half!.finished).toBe(false);
      const done = await next.finished('queue-run-2');
      expect(done).toMatchObject({ pages: 8, pagesDone: 8, citizens: 2_000, finished: true });
    } finally {
      await next.stop();
    }
  }, 180_000);

  it('npm run start:offers works the queue as its own process: ready, page jobs, metrics, a clean stop on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'system/start-offers.ts'], {
      env: { ...process.env, DATABASE_URL_OFFERS: queueUrl, GATEWAY_URL: system.gateway.url.replace(/\/graphql$/, ''), OIDC_ISSUER: system.identityProvider.issuer, OFFERS_PORT: String(port), OFFERS_DAILY_CRON: 'off', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const enqueuer = await startOffersQueue({ databaseUrl: queueUrl, client: engine(), concurrency: 0 });
    try {
      let ready = 0;
      for (const deadline = Date.now() + 60_000; ready !== 200 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status, () => 0);
      }
      expect(ready, stderr).toBe(200);
      await enqueuer.enqueueRun('queue-run-3', 500);
      expect(await enqueuer.finished('queue-run-3')).toMatchObject({ pages: 4, pagesDone: 4, citizens: 2_000 });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/citizen_graph_offers_batch_citizens_total 2000\b/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await enqueuer.stop();
    }
  }, 120_000);
});
