/**
 * Bulk-loads a generated population into the four agencies' databases:
 * COPY … FROM STDIN (never row-by-row INSERTs), all databases at once, the
 * rows streamed from the generator in bounded memory. Each table group loads
 * in one transaction, committed only when every group has succeeded, so a
 * failed seed leaves no half population behind.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import pg from 'pg';
import type { DatabaseName, DatabaseUrls } from '../platform/databases.ts';
import { copyLines } from './copy-format.ts';
import { TableGroupWriter } from './copy-writer.ts';
import { employerRows, generatePopulation, validatePopulationOptions, type PopulationOptions } from './generate.ts';
import { HOUSEHOLD_TABLES, SEED_TABLES, TABLE_DATABASE, type HouseholdTable, type SeedRowTypes, type SeedTable } from './rows.ts';

export interface SeedProgress {
  /** 'loading' while rows stream in; 'indexing' once all are sent and keys and indexes are being rebuilt. */
  phase: 'loading' | 'indexing';
  /** Citizens generated and handed to the databases so far. */
  citizens: number;
  total: number;
  households: number;
}

export interface SeedOptions extends PopulationOptions {
  /** Replace whatever population is there; without it, seeding a non-empty database is refused. */
  reset?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedResult {
  /** Rows written per table, as PostgreSQL counted them. */
  counts: Record<SeedTable, number>;
  households: number;
  citizens: number;
  elapsedMs: number;
}

/** Refusals and misuse the caller can act on (as opposed to database failures). */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

/**
 * Tables that load over one connection: a foreign key between two seeded
 * tables puts them in one group; every other table loads on its own, in parallel.
 */
export const TABLE_GROUPS: readonly (readonly SeedTable[])[] = [
  ['citizen'],
  ['employer', 'employment'],
  ['taxpayer'],
  ['income'],
  ['assessment'],
  ['civil_status'],
  ['parentage'],
  ['partnership'],
  ['household_member'],
  ['guardianship'],
  ['life_event'],
  ['beneficiary'],
  ['enrolment', 'payment'],
  ['study'],
];

/** Internal knobs, exposed for the benchmark; the defaults are what measured fastest. */
export interface LoadTuning {
  deferIndexes: boolean;
  batchBytes: number;
  /** Batches a table group may have queued before generation waits for it. */
  queueDepth: number;
  /** Per table, text is gathered into chunks of about this size before it is queued. */
  chunkBytes: number;
}

export const DEFAULT_TUNING: LoadTuning = { deferIndexes: true, batchBytes: 2 << 20, queueDepth: 4, chunkBytes: 64 << 10 };

/** The seeded tables (as database.table) that already have rows. */
async function tablesWithRows(urls: DatabaseUrls): Promise<string[]> {
  const nonEmpty: string[] = [];
  for (const database of Object.keys(urls) as DatabaseName[]) {
    const tables = SEED_TABLES.filter((t) => TABLE_DATABASE[t] === database);
    if (tables.length === 0) continue;
    const client = new pg.Client({ connectionString: urls[database] });
    await client.connect();
    try {
      for (const table of tables) {
        const { rows } = await client.query<{ present: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${client.escapeIdentifier(table)}) AS present`);
        if (rows[0]!.present) nonEmpty.push(`${database}.${table}`);
      }
    } finally {
      await client.end();
    }
  }
  return nonEmpty;
}

/** True when the population register already holds people. */
export async function isSeeded(identityUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: identityUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ seeded: boolean | null }>(
      `SELECT CASE WHEN to_regclass('citizen') IS NULL THEN false ELSE EXISTS (SELECT 1 FROM citizen) END AS seeded`,
    );
    return rows[0]!.seeded === true;
  } finally {
    await client.end();
  }
}

/** Where COPY text goes: the writer of each table's group. */
export type CopySink = (table: SeedTable, chunk: string | Buffer) => void;

/**
 * Opens one writer per table group (each in its own transaction), lets `feed`
 * push COPY text through the sink, then finishes and commits all groups, or
 * rolls every one back if anything failed. The generator-independent part of
 * seeding, shared with the benchmark's raw-COPY measurement.
 */
export async function copyIntoDatabases(
  urls: DatabaseUrls,
  feed: (sink: CopySink, flush: () => Promise<void>) => Promise<void>,
  { truncate, tuning = DEFAULT_TUNING }: { truncate: boolean; tuning?: LoadTuning },
): Promise<Record<SeedTable, number>> {
  const writers = TABLE_GROUPS.map(
    (tables) =>
      new TableGroupWriter(TABLE_DATABASE[tables[0]!], tables, urls[TABLE_DATABASE[tables[0]!]], {
        truncate,
        deferIndexes: tuning.deferIndexes,
        batchBytes: tuning.batchBytes,
        queueDepth: tuning.queueDepth,
      }),
  );
  const writerOf = new Map<SeedTable, TableGroupWriter>();
  for (const writer of writers) for (const table of writer.tables) writerOf.set(table, writer);

  try {
    await Promise.all(writers.map((w) => w.open()));
    const sink: CopySink = (table, chunk) => writerOf.get(table)!.write(table, chunk);
    // Sends every full batch; waits (backpressure) only where a group's previous batch is still being copied.
    const flush = async () => {
      for (const writer of writers) if (writer.hasFullBatch) await writer.flush();
    };
    await feed(sink, flush);
    await Promise.all(writers.map((w) => w.finish()));
    await Promise.all(writers.map((w) => w.commit()));
  } catch (error) {
    await Promise.all(writers.map((w) => w.abandon()));
    throw error;
  }
  await Promise.all(writers.map((w) => w.close()));

  const counts = Object.fromEntries(SEED_TABLES.map((t) => [t, 0])) as Record<SeedTable, number>;
  for (const writer of writers) for (const [table, count] of writer.copied) counts[table] += count;
  return counts;
}

/** Gathers small per-household texts into chunks of about chunkBytes per table before they are queued. */
class ChunkedText {
  private text = new Map<SeedTable, string>();

  constructor(private readonly sink: CopySink, private readonly chunkBytes: number) {}

  add(table: SeedTable, text: string): void {
    const joined = (this.text.get(table) ?? '') + text;
    if (joined.length >= this.chunkBytes) {
      // Encoded now, while the pieces are young: queued batches then live off the JS heap, which keeps
      // them out of the garbage collector's old generation (measured: GC time nearly halved).
      this.sink(table, Buffer.from(joined));
      this.text.set(table, '');
    } else {
      this.text.set(table, joined);
    }
  }

  drain(): void {
    for (const [table, text] of this.text) if (text.length > 0) this.sink(table, Buffer.from(text));
    this.text.clear();
  }
}

/** How often (in households) generation pauses to let the database connections send and receive. */
const HOUSEHOLDS_PER_TURN = 200;

export async function seedDatabases(urls: DatabaseUrls, options: SeedOptions, tuning: LoadTuning = DEFAULT_TUNING): Promise<SeedResult> {
  try {
    validatePopulationOptions(options);
  } catch (error) {
    throw new SeedError((error as Error).message);
  }
  const started = Date.now();
  const reset = options.reset ?? false;
  if (!reset) {
    const nonEmpty = await tablesWithRows(urls);
    if (nonEmpty.length > 0) {
      const named = nonEmpty.length > 3 ? `${nonEmpty.slice(0, 3).join(', ')} and ${nonEmpty.length - 3} more tables` : nonEmpty.join(', ');
      throw new SeedError(`the databases already hold a population (rows in ${named}); reset to replace it (--reset on the command line)`);
    }
  }

  let households = 0;
  let citizens = 0;
  const counts = await copyIntoDatabases(
    urls,
    async (sink, flush) => {
      const chunks = new ChunkedText(sink, tuning.chunkBytes);
      chunks.add('employer', copyLines('employer', employerRows()));
      for (const household of generatePopulation(options)) {
        for (const table of HOUSEHOLD_TABLES) {
          const rows = household.rows[table];
          if (rows.length > 0) chunks.add(table, copyLines(table as HouseholdTable, rows as SeedRowTypes[HouseholdTable][]));
        }
        households++;
        citizens += household.family.people.length;
        if (households % HOUSEHOLDS_PER_TURN === 0) {
          await flush();
          await yieldToEventLoop();
          options.onProgress?.({ phase: 'loading', citizens, total: options.citizens, households });
        }
      }
      chunks.drain();
      options.onProgress?.({ phase: 'indexing', citizens, total: options.citizens, households });
    },
    { truncate: reset, tuning },
  );
  return { counts, households, citizens, elapsedMs: Date.now() - started };
}
