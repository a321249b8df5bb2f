/**
 * Builds the portal with Vite when its build is missing or older than its
 * sources; `npm start` and the browser tests call `ensurePortalBuilt()`, and
 * `npx tsx portal/build.ts [--force]` runs it by hand.
 *
 * A build rather than Vite's dev middleware: the gateway then serves exactly
 * what production would (hashed assets, CSP without 'unsafe-eval'), and the
 * gateway process does not carry Vite's watcher.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PORTAL_DIST, PORTAL_ROOT } from './paths.ts';

const STAMP = '.build-stamp';
/** Inputs whose change means a rebuild. */
const INPUTS = ['src', 'index.html', 'vite.config.ts', '../package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

export function portalBuildIsStale(): boolean {
  const stamp = join(PORTAL_DIST, STAMP);
  if (!existsSync(stamp) || !existsSync(join(PORTAL_DIST, 'index.html'))) return true;
  const builtAt = Number(readFileSync(stamp, 'utf8'));
  return INPUTS.some((input) => newestMtime(resolve(PORTAL_ROOT, input)) > builtAt);
}

export async function buildPortal(): Promise<void> {
  const startedAt = Date.now();
  // Vite is a development tool: loaded only when a build is needed.
  const { build } = await import('vite');
  // Build beside the live folder and swap, so a gateway serving the old build never sees half a new one.
  const next = `${PORTAL_DIST}.next-${process.pid}`;
  await build({ root: PORTAL_ROOT, configFile: join(PORTAL_ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: next, emptyOutDir: true } });
  writeFileSync(join(next, STAMP), String(startedAt));
  rmSync(PORTAL_DIST, { recursive: true, force: true });
  renameSync(next, PORTAL_DIST);
}

/** Builds when needed; returns whether it built. */
export async function ensurePortalBuilt(log: (line: string) => void = () => {}): Promise<boolean> {
  if (!portalBuildIsStale()) return false;
  log('building the portal (vite)…');
  const startedAt = Date.now();
  await buildPortal();
  log(`portal built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  await (force ? buildPortal() : ensurePortalBuilt(console.log)).catch((error: unknown) => {
    console.error(`portal build failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
