/**
 * A throwaway embedded PostgreSQL in a fresh folder, migrated and optionally
 * seeded: for tests and benchmarks, which must never touch the developer's data.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDatabases } from '../seed/load.ts';
import { startEmbeddedPostgres, type DatabaseUrls } from '../platform/databases.ts';
import { freePort } from '../platform/free-port.ts';
import { today as todayInClock } from '../platform/clock.ts';
import { migrateAll } from './migrate-all.ts';

export interface ScratchDatabases {
  urls: DatabaseUrls;
  superuserUrl: string;
  today: string;
  stop(): Promise<void>;
}

export async function startScratchDatabases(options: { citizens?: number; seed?: number } = {}): Promise<ScratchDatabases> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-scratch-'));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must be able to enter it
  const databases = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const today = todayInClock();
  try {
    await migrateAll(databases.urls);
    if (options.citizens) {
      await seedDatabases(databases.urls, { citizens: options.citizens, seed: options.seed ?? 42, today: new Date(`${today}T00:00:00Z`), reset: false });
    }
  } catch (error) {
    await databases.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    urls: databases.urls,
    superuserUrl: databases.superuserUrl,
    today,
    async stop() {
      await databases.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
