/**
 * The offers batch on a PostgreSQL job queue (pg-boss), shared by any number
 * of worker processes on any number of machines:
 *
 *   enqueueRun ─▶ offers-scan (one per run): the population's page cursors, one
 *                 cheap request each; every page found becomes a page row and a
 *                 page job in one transaction
 *              ─▶ offers-page (many): one page fetched, evaluated and recorded
 *                 through the gateway (offers/batch.ts evaluatePage); its row marked done
 *              ─▶ offers-finish (one, enqueued by whichever page completes the run)
 *
 * At-least-once like every queue: a job that dies with its worker is retried
 * once it expires, and a retried job changes nothing (recording is idempotent,
 * every row write is too). A stopped run resumes where its rows say. The daily
 * run is a pg-boss schedule (cron in a stated time zone): whichever process
 * holds the schedule enqueues it, any worker takes its pages.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { today } from '../platform/clock.ts';
import { logger } from '../platform/logger.ts';
import { migrate } from '../platform/migrate.ts';
import { DEFAULT_PAGE_SIZE, evaluatePage, FINISH_RUN, scanPage, START_RUN } from './batch.ts';
import type { GatewayClient } from './gateway-client.ts';
import { addPage, claimFinish, createRun, markFinished, markPageDone, markScanned, readRun, runProgress, type RunProgress } from './queue-store.ts';

export const QUEUES = { scan: 'offers-scan', page: 'offers-page', finish: 'offers-finish', daily: 'offers-daily' } as const;
const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));
const log = logger.child({ service: 'offers' });

export interface OffersQueueOptions {
  /** The queue's own database (DATABASE_URL_OFFERS). */
  databaseUrl: string;
  /** The offers engine's client of the gateway. */
  client: GatewayClient;
  /** Page jobs this process works on at once; 0: enqueue only (a CLI). */
  concurrency?: number;
  /** The daily run: a cron expression and its time zone, its page size; absent: no schedule from this process. */
  daily?: { cron: string; timeZone: string; pageSize?: number };
  pollingIntervalSeconds?: number;
  /** Expiry of an active job whose worker vanished (then it is retried). */
  jobTimeoutSeconds?: number;
  onPage?: (runId: string, page: number, citizens: number) => void;
}

export interface OffersQueue {
  /** Starts a run (pages of `pageSize`); false when a run of that id exists (resumed by its jobs, never restarted). */
  enqueueRun(runId: string, pageSize?: number): Promise<boolean>;
  progress(runId: string): Promise<RunProgress | undefined>;
  /** The queue's database answers (readiness). */
  ready(): Promise<boolean>;
  /** Resolves once the run is finished (tests, the CLI). */
  finished(runId: string, pollMs?: number): Promise<RunProgress>;
  stop(): Promise<void>;
}

type Tx = pg.PoolClient;
const inTx = (tx: Tx) => ({ db: { executeSql: (text: string, values: unknown[]) => tx.query(text, values) } });

export async function startOffersQueue(options: OffersQueueOptions): Promise<OffersQueue> {
  await migrate(options.databaseUrl, MIGRATIONS);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
  pool.on('error', () => {});
  const boss = new PgBoss({ connectionString: options.databaseUrl, schema: 'pgboss', max: 4, schedule: Boolean(options.daily) });
  boss.on('error', (error: Error) => log.warn({ err: { message: error.message.slice(0, 300) } }, 'job queue error'));
  await boss.start();
  // A page takes seconds: a job still active after this died with its worker, and is retried.
  const expireInSeconds = options.jobTimeoutSeconds ?? 300;
  for (const name of Object.values(QUEUES)) {
    // A page retried with backoff (an agency restarting), then kept as failed for an operator.
    await boss.createQueue(name, { name, retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds });
  }
  const client = options.client;

  const transaction = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      tx.release();
    }
  };

  const enqueueRun = (runId: string, pageSize = DEFAULT_PAGE_SIZE) =>
    transaction(async (tx) => {
      if (!(await createRun(tx, runId, pageSize))) return false;
      await boss.send(QUEUES.scan, { runId }, { singletonKey: runId, ...inTx(tx) });
      return true;
    });

  const tryFinish = (runId: string) =>
    transaction(async (tx) => {
      if (await claimFinish(tx, runId)) await boss.send(QUEUES.finish, { runId }, { singletonKey: runId, ...inTx(tx) });
    });

  const scan = async (runId: string) => {
    const run = await readRun(pool, runId);
    if (!run || run.finished) return;
    if (!run.scanned) {
      const started = await client.request<{ startEvaluationRun: { finished: boolean } }>(START_RUN, { id: runId }, runId);
      if (started.startEvaluationRun.finished) {
        await markScanned(pool, runId);
        await markFinished(pool, runId);
        return;
      }
      // Resumes where a previous attempt of this job stopped.
      let after = run.scanAfter;
      for (let page = run.scanPages; ; page++) {
        const info = await scanPage(client, runId, after, run.pageSize);
        if (!info.endCursor) break; // nothing from here on
        const from = after;
        await transaction(async (tx) => {
          if (await addPage(tx, runId, page, from, info.endCursor)) {
            await boss.send(QUEUES.page, { runId, page, after: from, pageSize: run.pageSize }, inTx(tx));
          }
        });
        after = info.endCursor;
        if (!info.hasNextPage) break;
      }
      await markScanned(pool, runId);
    }
    await tryFinish(runId);
  };

  const evaluate = async (job: { runId: string; page: number; after: string | null; pageSize: number }) => {
    const { evaluated } = await evaluatePage(client, job.runId, { after: job.after, pageSize: job.pageSize });
    await markPageDone(pool, job.runId, job.page, evaluated);
    options.onPage?.(job.runId, job.page, evaluated);
    await tryFinish(job.runId);
  };

  const finish = async (runId: string) => {
    await client.request(FINISH_RUN, { id: runId }, runId);
    await markFinished(pool, runId);
    const progress = await runProgress(pool, runId);
    log.info({ runId, citizens: progress?.citizens, pages: progress?.pages }, 'offers run finished');
  };

  const concurrency = options.concurrency ?? 2;
  const polling = { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: 1 };
  /**
   * One worker slot. pg-boss waits out the polling interval after every fetch, even a
   * fruitful one; a slot that just finished a job asks again at once (notifyWorker), so
   * the interval only paces an idle slot.
   */
  let inFlight = 0;
  const slot = async <T extends object>(name: string, handle: (data: T) => Promise<void>) => {
    let id = '';
    id = await boss.work<T>(name, polling, async ([job]) => {
      inFlight += 1;
      try {
        await handle(job!.data);
      } finally {
        inFlight -= 1;
        boss.notifyWorker(id);
      }
    });
  };
  if (concurrency > 0) {
    await slot<{ runId: string }>(QUEUES.scan, (data) => scan(data.runId));
    await slot<{ runId: string }>(QUEUES.finish, (data) => finish(data.runId));
    for (let i = 0; i < concurrency; i++) await slot<{ runId: string; page: number; after: string | null; pageSize: number }>(QUEUES.page, evaluate);
  }
  if (options.daily) {
    await boss.schedule(QUEUES.daily, options.daily.cron, {}, { tz: options.daily.timeZone });
    await slot(QUEUES.daily, async () => {
      const runId = `offers-batch-${today()}`;
      if (await enqueueRun(runId, options.daily?.pageSize)) log.info({ runId }, 'daily offers run enqueued');
    });
  }

  return {
    enqueueRun,
    progress: (runId) => runProgress(pool, runId),
    ready: () => pool.query('SELECT 1').then(() => true, () => false),
    async finished(runId, pollMs = 200) {
      for (;;) {
        const progress = await runProgress(pool, runId);
        if (progress?.finished) return progress;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async stop() {
      // pg-boss's own graceful stop closes its connections while a slot may still be fetching: the
      // job it then takes could be neither completed nor failed, and would wait out its expiry. So the
      // slots stop fetching first, and what they took finishes, before pg-boss stops.
      for (const name of Object.values(QUEUES)) await boss.offWork(name);
      const deadline = Date.now() + 30_000;
      await new Promise((r) => setTimeout(r, 1_500));
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1_000, deadline - Date.now()) });
      await pool.end().catch(() => {});
    },
  };
}
