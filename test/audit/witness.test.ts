/**
 * Checkpoints and witnesses against real PostgreSQL and real HTTP:
 * - a witness cosigns only what is consistent with what it cosigned before;
 * - `verify` sees what the hash chain cannot: the owner role removing the
 *   newest records, the owner rewriting the whole history (records, chain and
 *   tree recomputed), two witnesses shown two different trees;
 * - the gateway stops serving personal data while records go unwitnessed past
 *   the limit, and serves again when the witness is back.
 * Stores of their own (as the owner and application roles of the shared
 * cluster), so that deleting records disturbs no other test.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { migrate } from '../../platform/migrate.ts';
import { grantAuditPrivileges, AUDIT_OWNER_ROLE } from '../../platform/databases.ts';
import { chain, type AuditContent } from '../../gateway/audit/chain.ts';
import { createAuditWriter, type AuditWriter } from '../../gateway/audit/writer.ts';
import { startCheckpointer, type Checkpointer } from '../../gateway/audit/checkpointer.ts';
import { verifyChain } from '../../gateway/audit/verify.ts';
import { verifyTree, type TreeTrust } from '../../gateway/audit/verify-tree.ts';
import { decideAddCheckpoint } from '../../witness/decide.ts';
import { startWitness, type RunningWitness } from '../../witness/server.ts';
import { fileStore } from '../../witness/store.ts';
import { Frontier, assemble, consistencyPlan, leafHash, nodeKey, type Hash } from '../../platform/tlog/merkle.ts';
import { formatVerifierKey, generateSigner, type Signer } from '../../platform/tlog/note.ts';
import { openCheckpoint, signCheckpoint } from '../../platform/tlog/checkpoint.ts';
import { submitCheckpoint } from '../../gateway/audit/witness-client.ts';
import { startTestSystem, testAuditLog, type TestSystem } from '../support/system.ts';
import { subjectsOf } from '../../platform/audit-row.ts';
import { sql } from '../support/sql.ts';

const run = promisify(execFile);
const singleParent = personaByRole('single-parent');
const LOG = 'test.citizen-graph/audit';


/** A tree of `size` leaves from `leafOf(i)`, with every perfect node kept (as a store keeps them). */
function memoryTree(size: number, leafOf: (i: number) => Hash) {
  const frontier = new Frontier();
  const nodes = new Map<string, Hash>();
  for (let i = 0; i < size; i++) for (const n of frontier.append(leafOf(i))) nodes.set(nodeKey(n), n.hash);
  return { root: frontier.root(), proof: (from: number) => assemble(consistencyPlan(from, size), nodes) };
}
const leafA = (i: number) => leafHash(new TextEncoder().encode(`a${i}`));

describe('the witness', () => {
  const log = generateSigner(LOG);
  const logs = [{ origin: LOG, keys: [log] }];
  const at = (size: number, leafOf = leafA) => ({ ...memoryTree(size, leafOf), note: signCheckpoint({ origin: LOG, size, root: memoryTree(size, leafOf).root }, log, 1_700_000_000 + size) });
  const body = (old: number, proof: Hash[], note: string) => `old ${old}\n${proof.map((p) => `${Buffer.from(p).toString('base64')}\n`).join('')}\n${note}`;

  it('decides by the protocol: first sight, consistent growth, and every refusal with its status', () => {
    const eight = at(8);
    const first = decideAddCheckpoint(body(0, [], eight.note), logs, () => undefined);
    expect(first.status).toBe(200);
    const state = { origin: LOG, size: 8, root: Buffer.from(eight.root).toString('base64'), note: eight.note };
    const latest = () => state;

    const twelve = at(12);
    expect(decideAddCheckpoint(body(8, twelve.proof(8), twelve.note), logs, latest).status).toBe(200);
    // A fork: leaf 3 differs; its own "proof" from 8 cannot match the root the witness holds for 8.
    const fork = at(12, (i) => (i === 3 ? leafHash(new TextEncoder().encode('forged')) : leafA(i)));
    expect(decideAddCheckpoint(body(8, fork.proof(8), fork.note), logs, latest)).toMatchObject({ status: 422 });
    // The same size with another root.
    const forkEight = at(8, (i) => (i === 3 ? leafHash(new TextEncoder().encode('forged')) : leafA(i)));
    expect(decideAddCheckpoint(body(8, [], forkEight.note), logs, latest)).toMatchObject({ status: 409 });
    // A stale old size: 409 with the size it holds.
    expect(decideAddCheckpoint(body(4, twelve.proof(4), twelve.note), logs, latest)).toMatchObject({ status: 409, size: 8 });
    // Smaller than what it cosigned (a rollback), unknown log, another key, nonsense.
    expect(decideAddCheckpoint(body(8, [], at(6).note), logs, latest)).toMatchObject({ status: 400 });
    expect(decideAddCheckpoint(body(0, [], signCheckpoint({ origin: 'other.example/log', size: 1, root: leafA(0) }, log, 1)), logs, latest)).toMatchObject({ status: 404 });
    expect(decideAddCheckpoint(body(8, twelve.proof(8), signCheckpoint({ origin: LOG, size: 12, root: twelve.root }, generateSigner(LOG), 1)), logs, latest)).toMatchObject({ status: 403 });
    expect(decideAddCheckpoint('hello', logs, latest)).toMatchObject({ status: 400 });
  });

  it('over HTTP: cosigns, keeps its state in its own folder, refuses an inconsistent checkpoint (422) and stays where it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'witness-test-'));
    const signer = generateSigner('test.citizen-graph/witness');
    const start = () => startWitness({ signer, logs, store: fileStore(dir), port: 0 });
    let witness = await start();
    try {
      const endpoint = { url: witness.url, verifier: signer };
      const eight = at(8);
      const ok = await submitCheckpoint(endpoint, 0, [], eight.note, 2_000);
      expect(ok.ok).toBe(true);
      expect(openCheckpoint(eight.note + (ok as { lines: string }).lines, [signer]).verified).toHaveLength(1);

      const fork = at(12, (i) => (i === 5 ? leafHash(new TextEncoder().encode('forged')) : leafA(i)));
      expect(await submitCheckpoint(endpoint, 8, fork.proof(8), fork.note, 2_000)).toMatchObject({ ok: false, status: 422 });
      expect(await submitCheckpoint(endpoint, 0, [], at(12).note, 2_000)).toMatchObject({ ok: false, status: 409, size: 8 });

      // Restarted from its folder, it still holds size 8 and takes the consistent 12.
      await witness.close();
      witness = await start();
      const twelve = at(12);
      expect(await submitCheckpoint({ ...endpoint, url: witness.url }, 8, twelve.proof(8), twelve.note, 2_000)).toMatchObject({ ok: true });
      const latest = await (await fetch(`${witness.url}/checkpoint?origin=${encodeURIComponent(LOG)}`)).text();
      expect(openCheckpoint(latest, [signer, log])).toMatchObject({ size: 12 });
    } finally {
      await witness.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An audit store of its own: owned by the owner role, appended to by the application's role. */
async function ownStore() {
  const name = `audit_w_${randomBytes(4).toString('hex')}`;
  const superuser = inject('superuserUrl');
  const databases = inject('databases');
  await sql(superuser, `CREATE DATABASE ${name} OWNER ${AUDIT_OWNER_ROLE}`);
  const swap = (url: string) => url.replace(/\/[^/]+$/, `/${name}`);
  await grantAuditPrivileges(swap(superuser), 'audit', AUDIT_OWNER_ROLE);
  const owner = swap(databases.auditOwner!);
  await migrate(owner, agencyMigrationsDir('transparency'));
  return { name, app: swap(databases.audit), owner, drop: () => sql(superuser, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const content = (i: number): AuditContent => ({
  recordedAt: new Date().toISOString(), requestId: `req-${i}-${randomBytes(4).toString('hex')}`, client: 'caseworker-app', actor: 'staff-0001', purpose: 'child-benefit-eligibility',
  legalBasis: 'statute: test', caseRef: `CASE-${i}`, operationName: null, operationHash: '0'.repeat(64), outcome: 'served', denials: [],
  subjects: [{ id: '49622056783', fields: [{ field: 'Citizen.givenName', agency: 'identity' }] }], otherFields: [],
});

/** A store, a writer, a witness and a checkpointer that signs on every round (tests call runOnce). */
async function freshLog(extraWitnesses = 0) {
  const store = await ownStore();
  const log = generateSigner(LOG);
  const dirs: string[] = [];
  const witnesses: { signer: Signer; running: RunningWitness }[] = [];
  for (let i = 0; i <= extraWitnesses; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'witness-test-'));
    dirs.push(dir);
    const signer = generateSigner(`test.citizen-graph/witness-${i}`);
    witnesses.push({ signer, running: await startWitness({ signer, logs: [{ origin: LOG, keys: [log] }], store: fileStore(dir), port: 0 }) });
  }
  const writer: AuditWriter = createAuditWriter({ databaseUrl: store.app });
  // The checkpointer talks to the first witness only; others are there for the split-view case.
  const checkpointer: Checkpointer = await startCheckpointer(store.app, {
    signer: log, witnesses: [{ url: witnesses[0]!.running.url, verifier: witnesses[0]!.signer }], quorum: 1, intervalMs: 1, unwitnessedLimitMs: 60_000, tickMs: 60_000,
  });
  const trust = (which = witnesses): TreeTrust => ({ logKeys: [log], witnesses: which.map((w) => ({ url: w.running.url, verifier: w.signer })), quorum: 1 });
  const write = async (from: number, count: number) => {
    await Promise.all(Array.from({ length: count }, (_, i) => writer.write(content(from + i))));
    await checkpointer.runOnce();
  };
  return {
    store, log, witnesses, writer, checkpointer, trust, write,
    env: (which = witnesses) => ({ DATABASE_URL_AUDIT: store.app, AUDIT_LOG_VERIFIER_KEYS: formatVerifierKey(log), AUDIT_WITNESSES: which.map((w) => `${w.running.url} ${formatVerifierKey(w.signer)}`).join(', ') }),
    async close() {
      await writer.close();
      await checkpointer.close();
      for (const w of witnesses) await w.running.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await store.drop();
    },
  };
}
type Log = Awaited<ReturnType<typeof freshLog>>;

describe('verify against the witness', () => {
  let log: Log | undefined;
  afterEach(async () => {
    await log?.close();
    log = undefined;
  });

  it('passes an untouched log, and says which cosigned checkpoint it matched', async () => {
    log = await freshLog();
    await log.write(1, 25);
    await log.write(26, 15);
    const result = await verifyTree(log.store.app, log.trust());
    expect(result).toMatchObject({ ok: true, leaves: 40, faults: [] });
    expect(result.latestCosigned).toMatchObject({ size: 40, cosignedBy: [`${log.witnesses[0]!.signer.name}+${log.witnesses[0]!.signer.keyId}`] });
  });

  it('reports truncation when the owner role deletes the newest records (and their checkpoints and tree), naming the first record and checkpoint at fault', async () => {
    log = await freshLog();
    await log.write(1, 30);
    await log.write(31, 10);
    await log.checkpointer.close(); // the attacker stops the log first
    for (const statement of [
      'DELETE FROM audit_record WHERE seq > 33',
      'DELETE FROM audit_tree_cosignature WHERE size > 33',
      'DELETE FROM audit_tree_checkpoint WHERE size > 33',
      'DELETE FROM audit_leaf_salt WHERE seq > 33',
      'DELETE FROM audit_tree_node WHERE (idx + 1) * (1::bigint << level) > 33',
    ]) {
      await sql(log.store.owner, statement);
    }
    // The hash chain alone sees nothing: what is left is a perfect chain.
    expect(await verifyChain(log.store.app)).toMatchObject({ ok: true, checked: 33 });
    const result = await verifyTree(log.store.app, log.trust());
    expect(result.ok).toBe(false);
    expect(result.faults[0]).toMatchObject({ kind: 'truncated', record: 34, recordThrough: 40, checkpoint: { size: 40 } });
    expect(result.faults[0]!.message).toMatch(/records 34–40 were removed/);

    const cli = await run('npx', ['tsx', 'gateway/audit/cli.ts', 'verify'], { env: { ...process.env, ...log.env() } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(cli).toMatchObject({ code: 1 });
    expect((cli as { stdout: string }).stdout).toMatch(/audit chain OK: 33 records/);
    expect((cli as { stderr: string }).stderr).toMatch(/FAULT at record 34 \(checkpoint 40, witness test\.citizen-graph\/witness-0\): truncated/);

    // With the witness unreachable, verify says it cannot rule truncation out (and fails).
    await log.witnesses[0]!.running.close();
    const blind = await verifyTree(log.store.app, log.trust());
    expect(blind.faults.map((f) => f.kind)).toContain('witness-unreachable');
  });

  it('reports a history rewritten consistently by the owner (record, chain and tree recomputed): the witness refuses the new tree, verify names the checkpoint and the records at fault', async () => {
    log = await freshLog();
    await log.write(1, 12);
    await log.write(13, 8);
    await log.checkpointer.close();
    // Record 15 gets another case reference, and every hash from it on is recomputed: the chain verifies again.
    const owner = log.store.owner;
    await sql(owner, `UPDATE audit_record SET case_ref = 'CASE-FORGED' WHERE seq = 15`);
    const rows = await sql<{ seq: string; recorded_at: Date; request_id: string; client: string; actor: string; purpose: string; legal_basis: string | null; case_ref: string | null; operation_name: string | null; operation_hash: string; outcome: 'served' | 'denied'; denials: []; other_fields: [] } & Parameters<typeof subjectsOf>[0]>(owner, 'SELECT * FROM audit_record WHERE seq >= 15 ORDER BY seq');
    const [head] = await sql<{ hash: string }>(owner, 'SELECT hash FROM audit_record WHERE seq = 14');
    const rechained = chain(rows.map((r) => ({ recordedAt: r.recorded_at.toISOString(), requestId: r.request_id, client: r.client, actor: r.actor, purpose: r.purpose, legalBasis: r.legal_basis, caseRef: r.case_ref, operationName: r.operation_name, operationHash: r.operation_hash, outcome: r.outcome, denials: r.denials, subjects: subjectsOf(r), otherFields: r.other_fields })), { seq: 14, hash: head!.hash });
    for (const record of rechained) await sql(owner, 'UPDATE audit_record SET prev_hash = $1, hash = $2 WHERE seq = $3', [record.prevHash, record.hash, record.seq]);
    for (const table of ['audit_tree_cosignature', 'audit_tree_checkpoint', 'audit_leaf_salt', 'audit_tree_node']) await sql(owner, `DELETE FROM ${table}`);
    expect(await verifyChain(log.store.app)).toMatchObject({ ok: true });

    // The log, restarted over the rewritten store, rebuilds a tree the witness will not cosign.
    const again = await startCheckpointer(log.store.app, { signer: log.log, witnesses: [{ url: log.witnesses[0]!.running.url, verifier: log.witnesses[0]!.signer }], quorum: 1, intervalMs: 1, unwitnessedLimitMs: 60_000, tickMs: 60_000 });
    await again.close();
    expect(Number((await sql<{ n: string }>(owner, 'SELECT count(*) AS n FROM audit_tree_cosignature'))[0]!.n)).toBe(0);

    const result = await verifyTree(log.store.app, log.trust());
    expect(result.ok).toBe(false);
    const fault = result.faults.find((f) => f.kind === 'rewritten');
    expect(fault).toMatchObject({ checkpoint: { size: 20, source: 'witness test.citizen-graph/witness-0' }, record: 1, recordThrough: 20 });
  });

  it('reports a split view: the log shows one tree to one witness and another tree to a second', async () => {
    log = await freshLog(1);
    await log.write(1, 10);
    // The log's key signs a different tree of 10 for the second witness, which has never seen the log.
    const fork = memoryTree(10, (i) => leafHash(new TextEncoder().encode(`fork ${i}`)));
    const forged = signCheckpoint({ origin: LOG, size: 10, root: fork.root }, log.log, Math.floor(Date.now() / 1000));
    const second = log.witnesses[1]!;
    const cosigned = await submitCheckpoint({ url: second.running.url, verifier: second.signer }, 0, [], forged, 2_000);
    expect(cosigned.ok).toBe(true);

    // Each reader alone is satisfied; verify, asking both witnesses, is not.
    expect((await verifyTree(log.store.app, log.trust([log.witnesses[0]!]))).ok).toBe(true);
    const result = await verifyTree(log.store.app, log.trust());
    expect(result.ok).toBe(false);
    expect(result.faults).toContainEqual(expect.objectContaining({ kind: 'split-view', checkpoint: { source: 'witness test.citizen-graph/witness-1', size: 10 } }));

    // A reader who kept the forged checkpoint can hand it to verify too.
    const reader = await verifyTree(log.store.app, { ...log.trust([log.witnesses[0]!]), extraCheckpoints: [{ source: 'file reader.txt', note: forged + (cosigned as { lines: string }).lines }] });
    expect(reader.ok).toBe(false);
    expect(reader.faults).toContainEqual(expect.objectContaining({ kind: 'split-view', checkpoint: { source: 'file reader.txt', size: 10 } }));
  });
});

describe('the gateway without its witness', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ auditLog: testAuditLog({ unwitnessedLimitMs: 1_500 }) });
  });
  afterAll(async () => {
    await system?.witness?.start().catch(() => {});
    await system?.close();
  });

  const me = () => system.query<{ me: { givenName: string } | null }>({ query: '{ me { givenName } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
  const until = async <T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value).slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('serves while the witness answers, refuses personal data with AUDIT_UNAVAILABLE once records go unwitnessed past the limit, and serves again when it returns', async () => {
    expect((await me()).data?.me?.givenName).toBeTruthy();
    await system.witness!.stop();
    const stoppedAt = Date.now();
    // A read right after is still served: its predecessors are not yet overdue.
    expect((await me()).status).toBe(200);
    const refused = await until('refusal', me, (r) => r.status === 503);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1_000);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(refused)).not.toContain(singleParent.name.split(' ')[0]!);
    const ready = await fetch(system.gateway.url.replace(/\/graphql$/, '/ready'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ audit: 'unwitnessed' });
    // Public data needs no record and is still served.
    const programmes = await system.query<{ programmes: unknown[] }>({ query: '{ programmes { code } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(programmes.status).toBe(200);

    await system.witness!.start();
    const back = await until('serving again', me, (r) => r.status === 200);
    expect(back.data?.me?.givenName).toBeTruthy();
  });
});

