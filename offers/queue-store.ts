/**
 * The SQL of the offers batch's run and page rows (offers/migrations/), in
 * the queue's database. Every write is a single statement or one transaction
 * given by the caller, and every write is idempotent: a job that runs twice
 * (at-least-once queue) changes nothing the second time.
 */
import type pg from 'pg';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface RunRow {
  id: string;
  pageSize: number;
  scanAfter: string | null;
  scanPages: number;
  scanned: boolean;
  finished: boolean;
}

/** Creates the run; false when it existed already. */
export async function createRun(db: Queryable, id: string, pageSize: number): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO offers_run (id, page_size) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, pageSize]);
  return rowCount === 1;
}

export async function readRun(db: Queryable, id: string): Promise<RunRow | undefined> {
  const { rows } = await db.query<{ id: string; page_size: number; scan_after: string | null; scan_pages: number; scanned_at: Date | null; finished_at: Date | null }>(
    'SELECT id, page_size, scan_after, scan_pages, scanned_at, finished_at FROM offers_run WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r && { id: r.id, pageSize: r.page_size, scanAfter: r.scan_after, scanPages: r.scan_pages, scanned: r.scanned_at !== null, finished: r.finished_at !== null };
}

/**
 * The next page found by the scan, in the caller's transaction: its row and the
 * run's scan position move together, and the caller enqueues the page job in the
 * same transaction. False when that page was already added (a scan job repeated).
 */
export async function addPage(db: Queryable, runId: string, page: number, after: string | null, nextAfter: string | null): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO offers_run_page (run_id, page, after) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [runId, page, after]);
  await db.query('UPDATE offers_run SET scan_after = $2, scan_pages = greatest(scan_pages, $3) WHERE id = $1', [runId, nextAfter, page + 1]);
  return rowCount === 1;
}

export async function markScanned(db: Queryable, runId: string): Promise<void> {
  await db.query('UPDATE offers_run SET scanned_at = coalesce(scanned_at, now()) WHERE id = $1', [runId]);
}

export async function markPageDone(db: Queryable, runId: string, page: number, citizens: number): Promise<void> {
  await db.query('UPDATE offers_run_page SET done_at = coalesce(done_at, now()), citizens = $3 WHERE run_id = $1 AND page = $2', [runId, page, citizens]);
}

/**
 * True for exactly one caller once the run is scanned and every page done: that
 * caller enqueues the run's finish (in the same transaction).
 */
export async function claimFinish(db: Queryable, runId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE offers_run SET finishing_at = now()
      WHERE id = $1 AND scanned_at IS NOT NULL AND finishing_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM offers_run_page WHERE run_id = $1 AND done_at IS NULL)`,
    [runId],
  );
  return rowCount === 1;
}

export async function markFinished(db: Queryable, runId: string): Promise<void> {
  await db.query('UPDATE offers_run SET finished_at = coalesce(finished_at, now()) WHERE id = $1', [runId]);
}

export interface RunProgress {
  runId: string;
  pages: number;
  pagesDone: number;
  citizens: number;
  scanned: boolean;
  finished: boolean;
  startedAt: Date;
  lastPageAt: Date | null;
}

export async function runProgress(db: Queryable, runId: string): Promise<RunProgress | undefined> {
  const { rows } = await db.query<{ pages: number; done: number; citizens: number; scanned: boolean; finished: boolean; created_at: Date; last: Date | null }>(
    `SELECT count(p.page)::int AS pages, count(p.done_at)::int AS done, coalesce(sum(p.citizens), 0)::int AS citizens,
            r.scanned_at IS NOT NULL AS scanned, r.finished_at IS NOT NULL AS finished, r.created_at, max(p.done_at) AS last
       FROM offers_run r LEFT JOIN offers_run_page p ON p.run_id = r.id
      WHERE r.id = $1 GROUP BY r.id`,
    [runId],
  );
  const r = rows[0];
  return r && { runId, pages: r.pages, pagesDone: r.done, citizens: r.citizens, scanned: r.scanned, finished: r.finished, startedAt: r.created_at, lastPageAt: r.last };
}
