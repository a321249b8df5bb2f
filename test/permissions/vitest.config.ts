/**
 * The permission tests need no database: this config runs them without the
 * repository's global setup (embedded PostgreSQL + seeding), for a fast loop
 * while editing the policy:
 *
 *   npx vitest run --config test/permissions/vitest.config.ts
 *
 * `npx vitest run test/permissions` (root config) runs the same tests.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/permissions/**/*.test.ts'],
    // The CLI tests start `tsx` child processes.
    testTimeout: 60_000,
  },
});
