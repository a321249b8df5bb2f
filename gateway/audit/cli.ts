/**
 * The audit log's commands:
 *
 *   npm run audit -- verify [--checkpoint file]…  the chain, then the tree against the checkpoints the
 *                                                 witnesses cosigned; exit 1 naming the first record and
 *                                                 checkpoint at fault (edits, deletions, truncation,
 *                                                 a rewritten history, a split view)
 *   npm run audit -- archive --older-than 365d    move old records to audit_archive behind a checkpoint
 *   npm run audit -- check-proof file.json [--witness-key <vkey>]…
 *                                                 a citizen's proof, offline: exit 0 when it holds
 *   npm run audit -- keygen --name <origin>       a new key for the log or a witness (rotation)
 *
 * Databases: DATABASE_URL_AUDIT (verify; read-only is enough) and
 * DATABASE_URL_AUDIT_OWNER (archive), else the embedded PostgreSQL of
 * `npm start` (its data folder and port, started here if it is not running).
 * Keys and witnesses: AUDIT_LOG_KEY / AUDIT_LOG_VERIFIER_KEYS and
 * AUDIT_WITNESSES (docs/configuration.md), else `npm start`'s data folder.
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
import { verifyTree, type TreeTrust } from './verify-tree.ts';
import { checkProof } from '../../platform/tlog/proof.ts';
import { formatSignerKey, formatVerifierKey, generateSigner, parseSignerKey, parseVerifierKey, type Verifier } from '../../platform/tlog/note.ts';
import { parseWitnessList, type WitnessEndpoint } from '../../platform/tlog/witness-list.ts';
import { auditLogKeyFile, readSigner, witnessDir, witnessKeyFile } from '../../platform/audit-keys.ts';
import { fileStore } from '../../witness/store.ts';
import { DEFAULT_WITNESS_PORT } from '../../platform/config.ts';

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

const verifierList = (raw: string | undefined): Verifier[] => (raw ?? '').split(/[\s,]+/).filter(Boolean).map(parseVerifierKey);

/** What verify and check-proof trust: the environment's keys and witnesses, else those of `npm start`'s data folder. */
function trustFromEnvironment(): TreeTrust & { embedded: boolean } {
  const logKeys = [...(process.env.AUDIT_LOG_KEY ? [parseSignerKey(process.env.AUDIT_LOG_KEY)] : []), ...verifierList(process.env.AUDIT_LOG_VERIFIER_KEYS)];
  const witnesses: WitnessEndpoint[] = parseWitnessList(process.env.AUDIT_WITNESSES ?? '');
  const quorum = Number(process.env.AUDIT_WITNESS_QUORUM ?? 1);
  if (logKeys.length > 0 || witnesses.length > 0 || process.env.DATABASE_URL_AUDIT) return { logKeys, witnesses, quorum, embedded: false };
  // `npm start`'s data folder: its log key, its witness (whose own folder answers when it is not running).
  const dataDir = defaultDataDir();
  const log = readSigner(auditLogKeyFile(dataDir));
  const witness = readSigner(witnessKeyFile(dataDir));
  const port = Number(process.env.WITNESS_PORT ?? DEFAULT_WITNESS_PORT);
  return {
    logKeys: log ? [log] : [],
    witnesses: witness ? [{ url: `http://127.0.0.1:${port}`, verifier: witness }] : [],
    quorum: 1,
    embedded: true,
    witnessFallback: (_endpoint, origin) => fileStore(witnessDir(dataDir)).latest(origin)?.note,
  };
}

async function verify(url: string, extra: { source: string; note: string }[] = []): Promise<number> {
  const counter = new pg.Client({ connectionString: url });
  await counter.connect();
  const total = await countRecords(counter).finally(() => counter.end());
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'verifying {bar} {value}/{total} records' }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  const result = await verifyChain(url, (checked) => bar?.update(Math.min(checked, total)));
  bar?.stop();
  let code = 0;
  if (result.ok) {
    console.log(`audit chain OK: ${result.checked} records verified${result.startSeq ? ` (live records from checkpoint ${result.startSeq})` : ''}`);
  } else {
    console.error(`audit chain BROKEN at record ${result.broken!.seq} (${result.broken!.table}): ${result.broken!.reason}`);
    code = 1;
  }
  const trust = trustFromEnvironment();
  if (trust.logKeys.length === 0) {
    console.log('audit tree not checked: no log key known (AUDIT_LOG_KEY or AUDIT_LOG_VERIFIER_KEYS); the removal of the newest records cannot be seen');
    return code;
  }
  const tree = await verifyTree(url, { ...trust, extraCheckpoints: extra });
  if (tree.ok) {
    const latest = tree.latestCosigned;
    console.log(
      `audit tree OK: ${tree.leaves} records match their leaves` +
        (latest ? `; the tree matches the checkpoint of size ${latest.size} cosigned by ${latest.cosignedBy.join(', ')} (${latest.source})` : '; no witness configured') +
        (latest && tree.leaves > latest.size ? `; ${tree.leaves - latest.size} newer records await a cosignature` : '') +
        (tree.pending ? `; ${tree.pending} records not yet in the tree` : ''),
    );
    return code;
  }
  for (const fault of tree.faults) console.error(`audit tree FAULT${fault.record ? ` at record ${fault.record}` : ''}${fault.checkpoint && fault.checkpoint.size >= 0 ? ` (checkpoint ${fault.checkpoint.size}, ${fault.checkpoint.source})` : ''}: ${fault.message}`);
  return 1;
}

function readCheckpointFile(file: string): { source: string; note: string } {
  const text = readFileSync(file, 'utf8');
  // A proof file carries the checkpoint its reader was given.
  const note = text.trimStart().startsWith('{') ? String((JSON.parse(text) as { checkpoint?: unknown }).checkpoint ?? '') : text;
  return { source: `file ${file}`, note };
}

function checkProofFile(file: string, witnessKeys: string[]): number {
  const trust = trustFromEnvironment();
  const witnesses = witnessKeys.length ? witnessKeys.map(parseVerifierKey) : trust.witnesses.map((w) => w.verifier);
  if (witnesses.length === 0) throw new Error("check-proof needs the witness's public key: --witness-key <name+id+key>");
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not a JSON proof`);
  }
  const result = checkProof(input, { witnesses, quorum: witnessKeys.length ? 1 : trust.quorum });
  const e = result.entry;
  if (e) console.log(`entry ${e.seq}: ${e.recordedAt}, ${e.client}, purpose ${e.purpose}${e.caseRef ? `, case ${e.caseRef}` : ''}, ${e.subject.fields.length} fields of ${e.subject.id}`);
  if (result.ok) {
    const c = result.checkpoint!;
    console.log(`proof OK: the entry is record ${e!.seq} of the log ${c.origin} of ${c.size} records, cosigned by ${c.witnessedBy.map((w) => `${w.name} at ${w.at}`).join(', ')}`);
    return 0;
  }
  for (const problem of result.problems) console.error(`proof FAILS: ${problem}`);
  return 1;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'older-than': { type: 'string' }, checkpoint: { type: 'string', multiple: true }, 'witness-key': { type: 'string', multiple: true }, name: { type: 'string' } },
  });
  const command = positionals[0];
  if (command === 'check-proof') {
    if (!positionals[1]) throw new Error('usage: npm run audit -- check-proof file.json [--witness-key <key>]');
    return checkProofFile(positionals[1], values['witness-key'] ?? []);
  }
  if (command === 'keygen') {
    if (!values.name) throw new Error('usage: npm run audit -- keygen --name <origin, e.g. audit.example.org/log>');
    const signer = generateSigner(values.name);
    console.log(`signer key (secret: AUDIT_LOG_KEY or WITNESS_KEY):\n${formatSignerKey(signer)}\nverifier key (public: AUDIT_LOG_VERIFIER_KEYS, WITNESS_LOG_KEYS, AUDIT_WITNESSES):\n${formatVerifierKey(signer)}`);
    return 0;
  }
  if (command !== 'verify' && command !== 'archive') {
    console.error('usage: npm run audit -- verify [--checkpoint file] | archive --older-than 365d | check-proof file.json | keygen --name <origin>');
    return 2;
  }
  const urls = await auditUrls();
  try {
    if (command === 'verify') return await verify(urls.app, (values.checkpoint ?? []).map(readCheckpointFile));
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
