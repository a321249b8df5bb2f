/**
 * Group commit: records from concurrent requests queue while one batch is
 * being written, and go together as ONE multi-row INSERT in one transaction
 * (one round trip, one fsync for the lot; see appendBatch for the chain head). A request's promise
 * resolves only once the COMMIT that holds its record returned, so nothing is
 * released before its record is durable, and a crash loses no released read.
 *
 * The circuit: a failed write rejects every record of the batch with
 * AuditUnavailable; for a short cool-down after that, records are refused at
 * once instead of piling up on a store that is down; then the next batch tries.
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
  const queue: Pending[] = [];
  const stats = { batches: 0, records: 0 };
  let flushing: Promise<void> | undefined;
  let closed = false;
  let openUntil = 0;
  // The last link this writer appended: the next batch chains from it without reading it back.
  let head: ChainHead | undefined;

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
        openUntil = Date.now() + coolDownMs;
        head = undefined; // unknown after a failure: read it again under the lock
        logger.error({ err: { message: (error as Error).message }, records: batch.length }, 'audit write failed: refusing personal data until it succeeds');
        for (const pending of batch) pending.reject(new AuditUnavailable());
      }
    }
  };
  // Cleared in a later microtask, so never before `flushing` holds this very promise.
  const startFlush = () => {
    flushing ??= flush().finally(() => {
      flushing = undefined;
    });
  };

  return {
    write(content) {
      // Closed: a request its client abandoned during shutdown still reaches here; it gets no data, and no error is logged.
      if (closed || Date.now() < openUntil) return Promise.reject(new AuditUnavailable());
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
