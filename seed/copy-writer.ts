/**
 * Bulk writing into one group of tables over one connection and one
 * transaction: the text arrives in chunks, is batched, and each batch goes in
 * as one COPY … FROM STDIN per table while the caller prepares the next ones
 * (a few batches queued per group: bounded memory, backpressure when
 * PostgreSQL is slower than the generator, and slack so that one busy group
 * does not stall the producer while the others sit idle).
 *
 * Tables linked by a foreign key share a group, so a referencing row is
 * checked against rows written earlier in the same transaction.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS } from './copy-format.ts';
import { SERIAL_TABLES, type SeedTable } from './rows.ts';

export interface GroupWriterOptions {
  /** TRUNCATE the group's tables (RESTART IDENTITY CASCADE) inside the load transaction. */
  truncate: boolean;
  /**
   * Drop the tables' indexes and keys for the load and rebuild them at the
   * end (a sort-based build beats a b-tree insert per row), inside the same
   * transaction, so a failed or killed load leaves the schema as it was.
   */
  deferIndexes: boolean;
  /** Bytes of COPY text per batch. */
  batchBytes: number;
  /** Batches a group may have queued or in flight before the producer waits for it. */
  queueDepth: number;
}

interface Deferred {
  drop: string[];
  restore: string[];
}

export class TableGroupWriter {
  private readonly client: pg.Client;
  private pending = new Map<SeedTable, (string | Buffer)[]>();
  private pendingBytes = 0;
  /** Batches sent or waiting to be, oldest first; they run one after the other on the connection. */
  private queued: Promise<void>[] = [];
  private last: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private deferred: Deferred = { drop: [], restore: [] };
  /** Rows PostgreSQL reported per table (COPY's command tag). */
  readonly copied = new Map<SeedTable, number>();

  constructor(
    readonly database: string,
    readonly tables: readonly SeedTable[],
    connectionString: string,
    private readonly options: GroupWriterOptions,
  ) {
    this.client = new pg.Client({ connectionString });
    // An error on an idle connection would otherwise crash the process; it surfaces at the next query instead.
    this.client.on('error', (error) => (this.failure ??= error));
    for (const table of tables) this.copied.set(table, 0);
  }

  async open(): Promise<void> {
    await this.client.connect();
    await this.client.query('BEGIN');
    await this.client.query("SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '256MB'");
    const list = this.tables.map((t) => this.client.escapeIdentifier(t)).join(', ');
    if (this.options.truncate) await this.client.query(`TRUNCATE ${list} RESTART IDENTITY CASCADE`);
    if (this.options.deferIndexes) {
      this.deferred = await this.deferrableDefinitions();
      for (const statement of this.deferred.drop) await this.client.query(statement);
    }
  }

  /**
   * Foreign keys, secondary indexes and primary keys of the group's tables, as
   * DROP and re-CREATE statements. A primary key that a table outside the
   * group refers to stays: dropping it would need that table's key dropped too.
   */
  private async deferrableDefinitions(): Promise<Deferred> {
    const tables = [this.tables];
    const { rows: foreignKeys } = await this.client.query<{ tbl: string; name: string; def: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)`,
      tables,
    );
    const { rows: primaryKeys } = await this.client.query<{ tbl: string; name: string; def: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c
        WHERE c.contype = 'p' AND c.conrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f
             WHERE f.contype = 'f' AND f.confrelid = c.conrelid
               AND f.conrelid <> ALL (SELECT to_regclass(t) FROM unnest($1::text[]) AS t))`,
      tables,
    );
    const { rows: indexes } = await this.client.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i
        WHERE i.indrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      tables,
    );
    const constraint = (k: { tbl: string; name: string; def: string }) => ({
      drop: `ALTER TABLE ${k.tbl} DROP CONSTRAINT ${this.client.escapeIdentifier(k.name)}`,
      add: `ALTER TABLE ${k.tbl} ADD CONSTRAINT ${this.client.escapeIdentifier(k.name)} ${k.def}`,
    });
    // Foreign keys go first and come back last: they depend on the primary keys they reference.
    return {
      drop: [...foreignKeys.map((k) => constraint(k).drop), ...primaryKeys.map((k) => constraint(k).drop), ...indexes.map((i) => `DROP INDEX ${i.name}`)],
      restore: [...primaryKeys.map((k) => constraint(k).add), ...indexes.map((i) => i.def), ...foreignKeys.map((k) => constraint(k).add)],
    };
  }

  /** Queues COPY text (whole lines) for a table; call flushIfFull() now and then to send it. */
  write(table: SeedTable, chunk: string | Buffer): void {
    let parts = this.pending.get(table);
    if (!parts) this.pending.set(table, (parts = []));
    parts.push(chunk);
    this.pendingBytes += chunk.length;
  }

  get hasFullBatch(): boolean {
    return this.pendingBytes >= this.options.batchBytes;
  }

  /**
   * Queues the pending batch behind those already queued; waits only when the
   * queue is full, which is the backpressure on the producer.
   */
  async flush(): Promise<void> {
    while (this.queued.length >= this.options.queueDepth) await this.queued.shift();
    if (this.failure) throw this.failure;
    if (this.pendingBytes === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingBytes = 0;
    this.last = this.last.then(() => (this.failure ? undefined : this.copyBatch(batch))).catch((error: Error) => {
      this.failure ??= error;
    });
    this.queued.push(this.last);
  }

  private async copyBatch(batch: Map<SeedTable, (string | Buffer)[]>): Promise<void> {
    // Foreign-key order: the group's tables are listed referenced-first.
    for (const table of this.tables) {
      const parts = batch.get(table);
      if (!parts || parts.length === 0) continue;
      const columns = COPY_COLUMNS[table].map((c) => this.client.escapeIdentifier(c)).join(', ');
      const stream = this.client.query(copyFrom(`COPY ${this.client.escapeIdentifier(table)} (${columns}) FROM STDIN`));
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        for (const part of parts) stream.write(part);
        stream.end();
      });
      this.copied.set(table, this.copied.get(table)! + stream.rowCount);
    }
  }

  /** Sends what is left, rebuilds deferred indexes, moves id sequences past the seeded ids. Does not commit. */
  async finish(): Promise<void> {
    await this.flush();
    await this.last;
    if (this.failure) throw this.failure;
    for (const statement of this.deferred.restore) await this.client.query(statement);
    for (const table of this.tables) {
      if (!(SERIAL_TABLES as readonly string[]).includes(table)) continue;
      const name = this.client.escapeIdentifier(table);
      await this.client.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT max(id) FROM ${name}), 0) + 1, false)`,
        [table],
      );
    }
    // Fresh statistics, so the first queries after seeding are planned for a full table, not an empty one.
    await this.client.query(`ANALYZE ${this.tables.map((t) => this.client.escapeIdentifier(t)).join(', ')}`);
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }

  /** Rolls back (if the connection still works) and closes; never throws, it runs while another error propagates. */
  async abandon(): Promise<void> {
    await this.last;
    await this.client.query('ROLLBACK').catch(() => {});
    await this.close();
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
