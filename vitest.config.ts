import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for us and for the Apollo packages alike; vite would pick
    // the .mjs build for our imports, and graphql refuses types from "another realm".
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    globalSetup: ['./test/support/browser-install.ts', './test/support/global-setup.ts', './test/support/portal-build.ts'],
    include: ['test/**/*.test.ts'],
    // One PostgreSQL for the run; files that write (births) must not race files that count.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
  },
});
