/**
 * The audit log's operator commands:
 *
 *   npm run audit -- verify                     walk the chain; exit 1 naming the first broken record
 *   npm run audit -- archive --older-than 365d  move old records to audit_archive behind a checkpoint
 *
 * Databases: DATABASE_URL_AUDIT (verify; read-only is enough) and
 * DATABASE_URL_AUDIT_OWNER (archive), else the embedded PostgreSQL of
 * `npm start` (its data folder and port, started here if it is not running).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { AUDIT_OWNER_ROLE, defaultDataDir, startEmbeddedPostgres } from '../../platform/databases.ts';
import { archiveOlderThan, parsePeriod } from './archive.ts';
import { countRecords } from './store.ts';
import { verifyChain } from './verify.ts';

interface AuditUrls {
  app: string;
  owner: string;
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function auditUrls(): Promise<AuditUrls> {
  if (process.env.DATABASE_URL_AUDIT) {
    const app = process.env.DATABASE_URL_AUDIT;
    return { app, owner: process.env.DATABASE_URL_AUDIT_OWNER ?? app, stop: async () => {} };
  }
  const dataDir = defaultDataDir();
  const port = Number(process.env.CITIZEN_GRAPH_PG_PORT ?? 54329);
  const credentialsFile = join(dataDir, 'credentials.json');
  if (existsSync(credentialsFile)) {
    const roles = (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { roles: Record<string, string> }).roles;
    const url = (role: string) => `postgres://${role}:${encodeURIComponent(roles[role] ?? '')}@127.0.0.1:${port}/audit`;
    if (roles.audit && roles[AUDIT_OWNER_ROLE] && (await reachable(url('audit')))) {
      return { app: url('audit'), owner: url(AUDIT_OWNER_ROLE), stop: async () => {} };
    }
  }
  const databases = await startEmbeddedPostgres({ dataDir, port });
  return { app: databases.urls.audit, owner: databases.urls.auditOwner!, stop: () => databases.stop() };
}

async function verify(url: string): Promise<number> {
  const counter = new pg.Client({ connectionString: url });
  await counter.connect();
  const total = await countRecords(counter).finally(() => counter.end());
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'verifying {bar} {value}/{total} records' }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  const result = await verifyChain(url, (checked) => bar?.update(Math.min(checked, total)));
  bar?.stop();
  if (result.ok) {
    console.log(`audit chain OK: ${result.checked} records verified${result.startSeq ? ` (live records from checkpoint ${result.startSeq})` : ''}`);
    return 0;
  }
  console.error(`audit chain BROKEN at record ${result.broken!.seq} (${result.broken!.table}): ${result.broken!.reason}`);
  return 1;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'older-than': { type: 'string' } } });
  const command = positionals[0];
  if (command !== 'verify' && command !== 'archive') {
    console.error('usage: npm run audit -- verify | archive --older-than 365d');
    return 2;
  }
  const urls = await auditUrls();
  try {
    if (command === 'verify') return await verify(urls.app);
    if (!values['older-than']) throw new Error('archive needs --older-than, e.g. --older-than 365d');
    const checkpoint = await archiveOlderThan(urls.owner, parsePeriod(values['older-than']));
    if (!checkpoint) console.log('nothing to archive');
    else console.log(`archived ${checkpoint.archivedRecords} records through record ${checkpoint.throughSeq}; checkpoint ${checkpoint.hash}`);
    return await verify(urls.app);
  } finally {
    await urls.stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`audit: ${error.message}`);
    process.exitCode = 1;
  },
);
