/**
 * Group commit: records from concurrent requests queue while one batch is
 * being written, and go together as ONE multi-row INSERT in one transaction
 * (one round trip, one fsync for the lot; see appendBatch for the chain head). A request's promise
 * resolves only once the COMMIT that holds its record returned, so nothing is
 * released before its record is durable, and a crash loses no released read.
 *
 * A failed batch is retried record by record, so a record the store refuses
 * (one no validation foresaw) fails only its own request. The circuit: when
 * even single records cannot be written, every one of them is rejected with
 * AuditUnavailable, and for a short cool-down records are refused at once
 * instead of piling up on a store that is down; then the next batch tries.
 * The queue is bounded: past `maxQueue` waiting records, a write fails at
 * once (AUDIT_UNAVAILABLE) rather than holding requests and memory.
 */
import { openDatabase, type Database } from '../../platform/database.ts';
import { logger } from '../../platform/logger.ts';
import type { AuditContent, ChainedRecord } from './chain.ts';
import { appendBatch, type ChainHead } from './store.ts';
import { observeAuditWrite } from '../../platform/metrics.ts';

export class AuditUnavailable extends Error {
  constructor() {
    super('the audit log cannot be written');
  }
}

export interface AuditWriterOptions {
  databaseUrl: string;
  /** Largest batch in one INSERT. */
  maxBatch?: number;
  /** How long the circuit stays open after a failed write. */
  coolDownMs?: number;
  /** Most records waiting to be written; more are refused at once. */
  maxQueue?: number;
  maxConnections?: number;
}

interface Pending {
  content: AuditContent;
  resolve: (record: ChainedRecord) => void;
  reject: (error: Error) => void;
}

export interface AuditWriter {
  write(content: AuditContent): Promise<ChainedRecord>;
  /** Batches written and records in them since start, for tests and benchmarks. */
  readonly stats: { batches: number; records: number };
  close(): Promise<void>;
}

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  // Appends are serialised by the chain lock: more than two connections would only wait on it.
  const db: Database = openDatabase('audit', options.databaseUrl, options.maxConnections ?? 2);
  const maxBatch = options.maxBatch ?? 1_000;
  const coolDownMs = options.coolDownMs ?? 1_000;
  const maxQueue = options.maxQueue ?? 10_000;
  const queue: Pending[] = [];
  const stats = { batches: 0, records: 0 };
  let flushing: Promise<void> | undefined;
  let closed = false;
  let openUntil = 0;
  // The last link this writer appended: the next batch chains from it without reading it back.
  let head: ChainHead | undefined;

  /**
   * After a batch failed: each record alone, so one the store refuses fails only its own request. True when
   * the store took at least one (it is up: the others were bad records); false when it took none (it is down,
   * and nothing has been settled yet).
   */
  const writeOneByOne = async (batch: Pending[]): Promise<boolean> => {
    const outcomes: (ChainedRecord | Error)[] = [];
    for (const pending of batch) {
      try {
        const [record] = await appendBatch(db, [pending.content], head);
        head = { seq: record!.seq, hash: record!.hash };
        outcomes.push(record!);
      } catch (error) {
        head = undefined;
        outcomes.push(error as Error);
      }
    }
    if (outcomes.every((o) => o instanceof Error)) return false;
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome instanceof Error) {
        logger.error({ err: { message: outcome.message } }, 'audit record refused by the store: its request gets no data');
        pending.reject(new AuditUnavailable());
      } else {
        stats.records += 1;
        pending.resolve(outcome);
      }
    });
    stats.batches += 1;
    return true;
  };

  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      if (Date.now() < openUntil) {
        for (const pending of batch) pending.reject(new AuditUnavailable());
        continue;
      }
      try {
        const started = performance.now();
        const records = await appendBatch(db, batch.map((p) => p.content), head);
        observeAuditWrite((performance.now() - started) / 1000);
        const last = records.at(-1)!;
        head = { seq: last.seq, hash: last.hash };
        stats.batches += 1;
        stats.records += records.length;
        batch.forEach((pending, i) => pending.resolve(records[i]!));
      } catch (error) {
        head = undefined; // unknown after a failure: read it again under the lock
        if (batch.length > 1 && (await writeOneByOne(batch))) continue;
        openUntil = Date.now() + coolDownMs;
        logger.error({ err: { message: (error as Error).message }, records: batch.length }, 'audit write failed: refusing personal data until it succeeds');
        for (const pending of batch) pending.reject(new AuditUnavailable());
      }
    }
  };
  // Cleared in a later microtask, so never before `flushing` holds this very promise. A record queued between
  // the loop's last look at the queue and that microtask would wait for the next write: flush again for it.
  const startFlush = () => {
    flushing ??= flush().finally(() => {
      flushing = undefined;
      if (queue.length > 0) startFlush();
    });
  };

  return {
    write(content) {
      // Closed: a request its client abandoned during shutdown still reaches here; it gets no data, and no error is logged.
      if (closed || Date.now() < openUntil || queue.length >= maxQueue) return Promise.reject(new AuditUnavailable());
      return new Promise<ChainedRecord>((resolve, reject) => {
        queue.push({ content, resolve, reject });
        startFlush();
      });
    },
    stats,
    async close() {
      closed = true;
      // Records already queued are written (their responses wait on them) before the pool ends.
      await flushing;
      await db.close();
    },
  };
}
