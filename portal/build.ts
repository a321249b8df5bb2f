/**
 * Builds the portal with Vite when its build is missing or older than its
 * sources; `npm start` and the browser tests call `ensurePortalBuilt()`, and
 * `npx tsx portal/build.ts [--force]` runs it by hand.
 *
 * A build rather than Vite's dev middleware: the gateway then serves exactly
 * what production would (hashed assets, CSP without 'unsafe-eval'), and the
 * gateway process does not carry Vite's watcher.
 *
 * The build runs in a child process. Vite sets `process.env.NODE_ENV =
 * 'production'` in the process that calls it, and `npm start` reads NODE_ENV
 * afterwards to choose development defaults (introspection and suggestions for
 * the explorer): building in-process silently switched them off.
 *
 * Every asset is stored precompressed (brotli and gzip) beside the original, so
 * the gateway sends the smallest one the browser accepts without compressing
 * per request.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { PORTAL_DIST, PORTAL_ROOT } from './paths.ts';

const STAMP = '.build-stamp';
/** Inputs whose change means a rebuild (the message catalogue is bundled too). */
const INPUTS = ['src', 'index.html', 'vite.config.ts', 'build.ts', '../platform/messages', '../package-lock.json'];
/** Text assets worth compressing; images and fonts are compressed already or absent. */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;

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

/** Writes `name.br` and `name.gz` beside every compressible file of `dir`; returns the bytes before and after brotli. */
export function precompress(dir: string): { raw: number; brotli: number } {
  let raw = 0;
  let brotli = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      const inner = precompress(path);
      raw += inner.raw;
      brotli += inner.brotli;
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const content = readFileSync(path);
    const br = brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: content.length } });
    writeFileSync(`${path}.br`, br);
    writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
    raw += content.length;
    brotli += br.length;
  }
  return { raw, brotli };
}

/** The build itself, in this process: only ever run as the child of buildPortal(). */
async function buildHere(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ root: PORTAL_ROOT, configFile: join(PORTAL_ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  precompress(join(outDir, 'assets'));
}

export async function buildPortal(): Promise<void> {
  const startedAt = Date.now();
  // Build beside the live folder and swap, so a gateway serving the old build never sees half a new one.
  const next = `${PORTAL_DIST}.next-${process.pid}`;
  const script = fileURLToPath(import.meta.url);
  await new Promise<void>((done, failed) => {
    // A production build whatever NODE_ENV the caller runs with: under vitest it is "test", and Vite then
    // bundles React's development build (twice the size, a second slower on a slow line).
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--child', next], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', failed);
    child.on('exit', (code) => (code === 0 ? done() : failed(new Error(stderr.trim().split('\n').slice(-5).join('\n') || `vite exited with ${code}`))));
  });
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
  const child = process.argv.indexOf('--child');
  const run = child > 0 ? buildHere(process.argv[child + 1]!) : process.argv.includes('--force') ? buildPortal() : ensurePortalBuilt(console.log);
  await run.catch((error: unknown) => {
    console.error(`portal build failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
