/**
 * The portal build leaves the server's process alone: Vite sets NODE_ENV to
 * production in the process that calls it, which turned the explorer's
 * introspection and suggestions off for `npm start` (it reads NODE_ENV after
 * building). The build now runs in a child process; its assets are stored
 * precompressed and served with the encoding the browser accepts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPortal } from '../../portal/build.ts';
import { PORTAL_DIST } from '../../portal/paths.ts';

describe('portal build', () => {
  it('does not change NODE_ENV in the calling process, and leaves brotli and gzip copies of every script', async () => {
    const saved = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      await buildPortal();
      expect(process.env.NODE_ENV).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.NODE_ENV = saved;
    }
    const assets = readdirSync(join(PORTAL_DIST, 'assets'));
    const scripts = assets.filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(assets).toContain(`${script}.br`);
      expect(assets).toContain(`${script}.gz`);
    }
  }, 120_000);
});
