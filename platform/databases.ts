/**
 * Where the agencies' databases live. With DATABASE_URL_<AGENCY> set for every
 * agency, those servers are used and nothing is started. Otherwise one embedded
 * PostgreSQL (real server binaries from npm) is started with one database and
 * one login role per agency, so that no agency's code can read another's data.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedServer } from './embedded-postgres.ts';
import { StartupError } from './startup-error.ts';

export const DATABASE_NAMES = ['identity', 'tax', 'family', 'benefits', 'education', 'audit'] as const;
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
  embedded?: { dataDir: string; port: number; binaries: string; serverUser: string };
  stop(): Promise<void>;
}

const envName = (name: DatabaseName) => `DATABASE_URL_${name.toUpperCase()}`;

/** CITIZEN_GRAPH_PG_PORT, or 54329. */
function embeddedPort(): number {
  const raw = process.env.CITIZEN_GRAPH_PG_PORT;
  if (raw === undefined || raw === '') return 54329;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartupError(`CITIZEN_GRAPH_PG_PORT must be a port number 1-65535, not "${raw.slice(0, 20)}"`);
  return port;
}

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
    throw new StartupError(`set all of ${DATABASE_NAMES.map(envName).join(', ')} or none; missing ${missing.map(envName).join(', ')}`);
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

function loadOrCreateCredentials(dataDir: string, names: readonly string[]): Credentials {
  const file = join(dataDir, 'credentials.json');
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    const existing: Credentials | undefined = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    const secret = () => randomBytes(18).toString('base64url');
    const credentials: Credentials = {
      superuser: existing?.superuser ?? secret(),
      roles: Object.fromEntries(names.map((name) => [name, existing?.roles[name] ?? secret()])),
    };
    writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
    return credentials;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof SyntaxError) throw new StartupError(`${file} is not valid JSON: repair or remove it (the databases' passwords are kept there)`);
    throw new StartupError(`cannot write the data folder ${dataDir} (${code ?? (error as Error).message}): set CITIZEN_GRAPH_DATA_DIR to a folder you can write`);
  }
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
  const port = options.port ?? embeddedPort();
  const names = [...DATABASE_NAMES, ...(options.extraDatabases ?? [])];
  const credentials = loadOrCreateCredentials(dataDir, [...names, AUDIT_OWNER_ROLE]);
  const server = await startEmbeddedServer({
    dataDir,
    port,
    superuser: 'postgres',
    superuserPassword: credentials.superuser,
    // TCP on loopback only; no unix socket shared with other clusters on this machine.
    settings: { unix_socket_directories: '', max_connections: '300' },
    log: options.log,
  });
  try {
    const embedded = { dataDir, port: server.port, binaries: server.binaries, serverUser: server.user };
    return await prepareDatabases(credentials, names, embedded, () => server.stop());
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function prepareDatabases(
  credentials: Credentials,
  names: string[],
  embedded: NonNullable<Databases['embedded']>,
  stop: () => Promise<void>,
): Promise<Databases & { superuserUrl: string }> {
  const { port } = embedded;
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
    embedded,
    stop,
  };
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
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(rows[0]!.name)} TO ${app}`);
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
