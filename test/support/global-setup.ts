/**
 * One real PostgreSQL for the whole test run: embedded, in a fresh folder,
 * migrated and seeded with a small population. Tests read the connection
 * URLs with `inject('databases')`.
 */
import type { TestProject } from 'vitest/node';
import type { DatabaseUrls } from '../../platform/databases.ts';
import { startScratchDatabases } from '../../system/scratch-databases.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSignerKey, generateSigner } from '../../platform/tlog/note.ts';
import { DEV_LOG_NAME, DEV_WITNESS_NAME } from '../../platform/audit-keys.ts';
import { generateLifeEventKeyPair } from '../../platform/life-event-attestation.ts';

export const TEST_CITIZENS = 2_000;
export const TEST_SEED = 42;

declare module 'vitest' {
  export interface ProvidedContext {
    databases: DatabaseUrls;
    superuserUrl: string;
    seed: { citizens: number; seed: number; today: string };
    /** One audit log key and one witness (key and folder) for the run: the shared store's tree is one log. */
    auditLog: { logKey: string; witnessKey: string; witnessDir: string };
    /** One population-register key pair for the run: births signed by one test file are delivered by another's worker. */
    lifeEventKeys: Awaited<ReturnType<typeof generateLifeEventKeyPair>>;
  }
}

export default async function setup(project: TestProject) {
  const scratch = await startScratchDatabases({ citizens: TEST_CITIZENS, seed: TEST_SEED });
  project.provide('databases', scratch.urls);
  project.provide('superuserUrl', scratch.superuserUrl);
  project.provide('seed', { citizens: TEST_CITIZENS, seed: TEST_SEED, today: scratch.today });
  project.provide('lifeEventKeys', await generateLifeEventKeyPair());
  const witnessDir = mkdtempSync(join(tmpdir(), 'citizen-graph-test-witness-'));
  project.provide('auditLog', { logKey: formatSignerKey(generateSigner(DEV_LOG_NAME)), witnessKey: formatSignerKey(generateSigner(DEV_WITNESS_NAME)), witnessDir });
  return async () => {
    await scratch.stop();
    rmSync(witnessDir, { recursive: true, force: true });
  };
}
