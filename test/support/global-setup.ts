/**
 * One real PostgreSQL for the whole test run: embedded, in a fresh folder the
 * `postgres` user can write, migrated and seeded with a small population.
 * Tests read the connection URLs with `inject('databases')`.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { seedDatabases } from '../../seed/load.ts';
import { startEmbeddedPostgres, type DatabaseUrls } from '../../system/databases.ts';
import { migrateAll } from '../../system/migrate-all.ts';

export const TEST_CITIZENS = 2_000;
export const TEST_SEED = 42;

declare module 'vitest' {
  export interface ProvidedContext {
    databases: DatabaseUrls;
    superuserUrl: string;
    seed: { citizens: number; seed: number; today: string };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-test-'));
  chmodSync(dataDir, 0o755); // the postgres user must be able to enter it when tests run as root
  const databases = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  await migrateAll(databases.urls);
  const today = new Date().toISOString().slice(0, 10);
  await seedDatabases(databases.urls, { citizens: TEST_CITIZENS, seed: TEST_SEED, today: new Date(`${today}T00:00:00Z`), reset: false });
  project.provide('databases', databases.urls);
  project.provide('superuserUrl', databases.superuserUrl);
  project.provide('seed', { citizens: TEST_CITIZENS, seed: TEST_SEED, today });
  return async () => {
    await databases.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
