/**
 * Set-up as a newcomer meets it: a clone in a private folder (mode 700, like
 * /root or `mktemp -d`), started as root and as an ordinary user. As root the
 * embedded PostgreSQL runs as the `postgres` user, which cannot enter such a
 * folder: its binaries must be copied where it can reach them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../platform/free-port.ts';
import { SUBGRAPH_NAMES } from '../../platform/topology.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const TEST_USER = 'cg-setup-test';

/** The working tree (tracked and new files, as `git clone` of it would give), with mtimes kept, plus node_modules as hard links. */
function cloneInto(folder: string): string {
  const target = join(folder, 'citizen-graph');
  mkdirSync(target);
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'buffer' }).stdout;
  const existing = files.toString('utf8').split('\0').filter((f) => f && existsSync(join(repo, f)));
  // The built portal too (ignored by git), so `npm start` need not build it again: tar keeps the mtimes its stamp is compared with.
  if (existsSync(join(repo, 'portal/dist'))) existing.push('portal/dist');
  const tar = spawnSync('sh', ['-c', 'tar -cf - --null -T - | tar -xf - -C "$1"', 'sh', target], { cwd: repo, input: existing.join('\0') });
  expect(tar.status, tar.stderr.toString()).toBe(0);
  const link = spawnSync('cp', ['-al', join(repo, 'node_modules'), join(target, 'node_modules')]);
  if (link.status !== 0) expect(spawnSync('cp', ['-a', join(repo, 'node_modules'), join(target, 'node_modules')]).status).toBe(0);
  return target;
}

function privateFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'cg-private-'));
  chmodSync(folder, 0o700);
  return folder;
}

/** A folder the server user can use for its data (as root PostgreSQL runs as `postgres`). */
function dataFolder(owner?: { uid: number; gid: number }): string {
  const folder = mkdtempSync(join(tmpdir(), 'cg-data-'));
  chmodSync(folder, 0o755);
  if (owner) chownSync(folder, owner.uid, owner.gid);
  return folder;
}

const probe = (clone: string, dataDir: string, port: number, as?: { uid: number; gid: number }) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(clone, 'test/support/embedded-probe.ts'), dataDir, String(port)], {
    cwd: clone,
    encoding: 'utf8',
    timeout: 120_000,
    uid: as?.uid,
    gid: as?.gid,
    env: { ...process.env, HOME: as ? dataDir : process.env.HOME, LOG_LEVEL: 'warn' },
  });

describe('set-up from a clone in a private folder', () => {
  let folder: string;
  let clone: string;
  const cleanup: string[] = [];
  beforeAll(() => {
    folder = privateFolder();
    clone = cloneInto(folder);
  });
  afterAll(() => {
    for (const dir of [folder, ...cleanup]) rmSync(dir, { recursive: true, force: true });
  });

  it('starts the embedded PostgreSQL from there (as root, from a copy of its binaries next to the data)', async () => {
    const dataDir = dataFolder();
    cleanup.push(dataDir);
    const run = probe(clone, dataDir, await freePort());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { role: string; binaries: string; serverUser: string };
    expect(result.role).toBe('identity');
    if (isRoot) {
      expect(result.serverUser).toBe('postgres');
      expect(result.binaries.startsWith(dataDir)).toBe(true);
    } else {
      expect(result.binaries.startsWith(clone)).toBe(true);
    }
  });

  it('npm start serves the graph from there, and Ctrl-C stops it with exit 0', async () => {
    const dataDir = dataFolder();
    cleanup.push(dataDir);
    const gatewayPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CITIZEN_GRAPH_DATA_DIR: dataDir,
      CITIZEN_GRAPH_PG_PORT: String(await freePort()),
      CITIZEN_GRAPH_SEED_CITIZENS: '200',
      GATEWAY_PORT: String(gatewayPort),
      IDENTITY_PROVIDER_PORT: String(await freePort()),
      WITNESS_PORT: String(await freePort()),
    };
    for (const name of SUBGRAPH_NAMES) env[`SUBGRAPH_PORT_${name.toUpperCase()}`] = String(await freePort());
    const child = spawn(process.execPath, ['--import', 'tsx', 'system/start.ts'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 120_000, interval: 250 }).toContain('citizen-graph is running');
      const tokenResponse = await fetch(`http://localhost:${gatewayPort}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: '49431123454', client: 'citizen-portal' }),
      });
      const { token } = (await tokenResponse.json()) as { token: string };
      const answer = await fetch(`http://localhost:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'self-service' },
        body: JSON.stringify({ query: '{ me { givenName familyName } }' }),
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ data: { me: { givenName: 'Kadri', familyName: 'Tamm' } } });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, output).toBe(0);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace anywhere
  }, 180_000);

  it('as an ordinary user, from a clone in that user\'s own private folder', async (context) => {
    if (!isRoot) {
      // Already an ordinary user: the tests above ran as one.
      expect(process.getuid?.()).not.toBe(0);
      return;
    }
    if (spawnSync('id', ['-u', TEST_USER]).status !== 0 && spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER]).status !== 0) {
      context.skip('this machine does not allow creating a user: the start as an ordinary user is not tested here');
    }
    const uid = Number(spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', TEST_USER], { encoding: 'utf8' }).stdout.trim());
    // That user must be able to run node and read node_modules, which may themselves sit in a folder it cannot enter.
    if (spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', process.execPath], { uid, gid }).status !== 0) {
      context.skip(`node (${process.execPath}) is not reachable by an ordinary user here: the start as an ordinary user is not tested`);
    }
    const own = privateFolder();
    cleanup.push(own);
    const ownClone = cloneInto(own);
    for (const entry of readdirSync(ownClone)) if (entry !== 'node_modules') spawnSync('chown', ['-R', `${uid}:${gid}`, join(ownClone, entry)]);
    chownSync(ownClone, uid, gid);
    chownSync(own, uid, gid);
    const dataDir = dataFolder({ uid, gid });
    cleanup.push(dataDir);
    const run = probe(ownClone, dataDir, await freePort(), { uid, gid });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { role: string; binaries: string; serverUser: string };
    expect(result.role).toBe('identity');
    // Its own binaries, run as itself: nothing copied, nothing run as postgres.
    expect(result.binaries.startsWith(ownClone)).toBe(true);
    expect(result.serverUser).not.toBe('postgres');
  }, 120_000);
});

describe('start-up failures: one sentence and a non-zero exit', () => {
  const start = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'system/start.ts'], { cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  const expectOneSentence = (run: ReturnType<typeof start>, pattern: RegExp) => {
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
  };

  it('a taken database port', async () => {
    const port = await freePort();
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const dataDir = dataFolder();
      const run = start({ CITIZEN_GRAPH_DATA_DIR: dataDir, CITIZEN_GRAPH_PG_PORT: String(port) });
      rmSync(dataDir, { recursive: true, force: true });
      expectOneSentence(run, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*CITIZEN_GRAPH_PG_PORT`));
    } finally {
      blocker.close();
    }
  });

  it('a data folder that cannot be written', () => {
    expectOneSentence(start({ CITIZEN_GRAPH_DATA_DIR: '/etc/passwd/citizen-graph' }), /cannot write the data folder \/etc\/passwd\/citizen-graph .*CITIZEN_GRAPH_DATA_DIR/);
  });

  it.skipIf(!isRoot)('as root, a data folder the postgres user cannot enter', () => {
    const folder = privateFolder();
    try {
      expectOneSentence(start({ CITIZEN_GRAPH_DATA_DIR: join(folder, 'data') }), /"postgres" user, which cannot enter the data folder/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a configuration error', () => {
    expectOneSentence(start({ GATEWAY_PORT: 'eighty' }), /GATEWAY_PORT must be a port number 0-65535, not "eighty"/);
  });
});

describe('a clean install', () => {
  it('every installed package declares that it runs on this Node.js', () => {
    const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[] }> };
    const refusing = Object.entries(lock.packages)
      .filter(([path, meta]) => path && !Array.isArray(meta.engines) && meta.engines?.node && existsSync(join(repo, path)))
      .filter(([, meta]) => !semver.satisfies(process.versions.node, (meta.engines as { node: string }).node, { includePrerelease: true }))
      .map(([path, meta]) => `${path} (node ${(meta.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });

  it('every package with install scripts has an explicit allowScripts decision', () => {
    const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, meta]) => meta.hasInstallScript && existsSync(join(repo, path)))
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(Object.keys(manifest.allowScripts), name).toContain(name);
  });
});
