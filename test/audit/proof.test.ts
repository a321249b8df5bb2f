/**
 * Proofs for citizens, end to end over a store of its own: a caseworker reads
 * a parent and her child; the parent's data tracker hands out the entry's
 * proof (through the graph, self-service); it verifies offline against the
 * witness's key (the function the portal uses, and the CLI), names nobody
 * else, and fails once tampered with. After `archive`, the entries stay in the
 * tracker and in the privacy officer's search, marked archived, and their
 * proofs still verify.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { migrate } from '../../platform/migrate.ts';
import { grantAuditPrivileges, AUDIT_OWNER_ROLE } from '../../platform/databases.ts';
import { archiveOlderThan } from '../../gateway/audit/archive.ts';
import { checkProof, type AuditProof } from '../../platform/tlog/proof.ts';
import { formatVerifierKey, generateSigner, parseSignerKey, parseVerifierKey } from '../../platform/tlog/note.ts';
import { toBase64 } from '../../platform/tlog/merkle.ts';
import { startTestSystem, testAuditLog, type TestSystem } from '../support/system.ts';
import { sql } from '../support/sql.ts';

const run = promisify(execFile);
const singleParent = personaByRole('single-parent');
const caseworker = personaByRole('caseworker');
const officer = personaByRole('privacy-officer');


const TRACKER = `query Tracker { me { dataAccessLog(first: 50, excludeOwnReads: true) { entries { at client purpose caseReference fields archived proof } } } }`;
interface Entry { at: string; client: string; purpose: string; caseReference: string | null; fields: string[]; archived: boolean; proof: string | null }
type TrackerData = { me: { dataAccessLog: { entries: Entry[] } } };

describe('proofs and the archive, over an audit store of its own', () => {
  const name = `audit_p_${randomBytes(4).toString('hex')}`;
  const caseRef = `PROOF-${randomBytes(4).toString('hex')}`;
  const witnessDir = mkdtempSync(join(tmpdir(), 'proof-witness-'));
  let owner: string;
  let system: TestSystem;
  let witnessKey: string;
  let childId: string;

  beforeAll(async () => {
    const superuser = inject('superuserUrl');
    const databases = inject('databases');
    await sql(superuser, `CREATE DATABASE ${name} OWNER ${AUDIT_OWNER_ROLE}`);
    const swap = (url: string) => url.replace(/\/[^/]+$/, `/${name}`);
    await grantAuditPrivileges(swap(superuser), 'audit', AUDIT_OWNER_ROLE);
    owner = swap(databases.auditOwner!);
    await migrate(owner, agencyMigrationsDir('transparency'));
    const base = testAuditLog();
    system = await startTestSystem({
      databases: { ...databases, audit: swap(databases.audit), auditOwner: owner },
      auditLog: { ...base, witness: { signer: parseSignerKey(inject('auditLog').witnessKey), dataDir: witnessDir } },
    });
    witnessKey = system.witness!.verifierKey;
    const read = await system.query<{ citizen: { children: { id: string }[] } }>({
      query: `query Check($id: ID!) { citizen(id: $id) { givenName annualIncome children { id givenName } } }`,
      variables: { id: singleParent.id }, as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef,
    });
    expect(read.errors).toBeUndefined();
    childId = read.data!.citizen.children[0]!.id;
  });
  afterAll(async () => {
    await system?.close();
    rmSync(witnessDir, { recursive: true, force: true });
    await sql(inject('superuserUrl'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  const tracker = async () => {
    const response = await system.query<TrackerData>({ query: TRACKER, as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(response.errors).toBeUndefined();
    return response.data!.me.dataAccessLog.entries;
  };
  /** The caseworker's read, once a cosigned checkpoint covers it (the checkpointer runs every 100 ms here). */
  const provenEntry = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const entry = (await tracker()).find((e) => e.caseReference === caseRef);
      if (entry?.proof) return entry;
      if (Date.now() > deadline) throw new Error(`no proof for the entry: ${JSON.stringify(entry)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const trust = () => ({ witnesses: [parseVerifierKey(witnessKey)] });

  it("hands the citizen a proof of the caseworker's read that verifies offline against the witness's key, and tells nothing of the other person in the read", async () => {
    const entry = await provenEntry();
    expect(entry.archived).toBe(false);
    const proof = JSON.parse(entry.proof!) as AuditProof;
    const result = checkProof(proof, trust());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.entry).toMatchObject({ purpose: 'child-benefit-eligibility', caseRef, client: 'caseworker-app', subject: { id: singleParent.id } });
    expect(result.checkpoint!.witnessedBy).toHaveLength(1);
    expect(result.entry!.subject.fields.map((f) => f.field)).toEqual(expect.arrayContaining(entry.fields));
    // The child was read in the same request (a subject of the same record): the parent's proof does not name her.
    expect(entry.proof).not.toContain(childId);
    expect(proof.leaf.subjects.length).toBeGreaterThanOrEqual(2);

    // The CLI checks the same file with the same code.
    const dir = mkdtempSync(join(tmpdir(), 'proof-'));
    try {
      const file = join(dir, 'proof.json');
      writeFileSync(file, entry.proof!);
      const { stdout } = await run('npx', ['tsx', 'gateway/audit/cli.ts', 'check-proof', file, '--witness-key', witnessKey]);
      expect(stdout).toMatch(/proof OK: the entry is record \d+ of the log/);
      writeFileSync(file, entry.proof!.replace(caseRef, 'PROOF-forged'));
      const forged = await run('npx', ['tsx', 'gateway/audit/cli.ts', 'check-proof', file, '--witness-key', witnessKey]).catch((e: { code: number; stderr: string }) => e);
      expect(forged).toMatchObject({ code: 1 });
      expect((forged as { stderr: string }).stderr).toMatch(/proof FAILS: the entry, as shown, is not in the audit log/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a tampered proof, whatever part is changed, and one checked against another key', async () => {
    const proof = JSON.parse((await provenEntry()).proof!) as AuditProof;
    const tampered: [string, (p: AuditProof) => void][] = [
      ['purpose', (p) => void (p.entry.purpose = 'self-service')],
      ['a field left out', (p) => void p.entry.subject.fields.pop()],
      ['time', (p) => void (p.entry.recordedAt = new Date(0).toISOString())],
      ['another person', (p) => void (p.entry.subject.id = childId)],
      ['salt', (p) => void (p.entry.subject.salt = toBase64(new Uint8Array(32)))],
      ['a path hash', (p) => void (p.inclusion.hashes[0] = toBase64(new Uint8Array(32).fill(7)))],
      ['the leaf index', (p) => void (p.leaf.index += 1)],
      ['the sealed part', (p) => void (p.leaf.sealed = '0'.repeat(64))],
      ['the checkpoint size', (p) => void (p.checkpoint = p.checkpoint.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`))],
    ];
    for (const [what, change] of tampered) {
      const copy = structuredClone(proof);
      change(copy);
      expect(checkProof(copy, trust()).ok, what).toBe(false);
    }
    // A key of the same name that is not the witness's (what a forger would hand out).
    const stranger = parseVerifierKey(formatVerifierKey(generateSigner(parseVerifierKey(witnessKey).name)));
    expect(checkProof(proof, { witnesses: [stranger] })).toMatchObject({ ok: false, problems: ['the checkpoint is not cosigned by the witness you trust'] });
    expect(checkProof({ hello: 1 }, trust()).ok).toBe(false);
  });

  it('keeps archived records in the tracker and in the privacy search, marked archived, with proofs that still verify', async () => {
    await provenEntry();
    const checkpoint = await archiveOlderThan(owner, 0);
    expect(checkpoint?.archivedRecords).toBeGreaterThan(0);
    expect(Number((await sql<{ n: string }>(owner, `SELECT count(*) AS n FROM audit_archive WHERE case_ref = $1`, [caseRef]))[0]!.n)).toBe(1);

    const entry = (await tracker()).find((e) => e.caseReference === caseRef);
    expect(entry).toMatchObject({ archived: true, purpose: 'child-benefit-eligibility' });
    expect(checkProof(JSON.parse(entry!.proof!), trust()).ok).toBe(true);

    const search = await system.query<{ auditSearch: { records: { caseReference: string; archived: boolean }[] } }>({
      query: `query S($s: ID!) { auditSearch(subject: $s, first: 50) { records { caseReference archived } } }`,
      variables: { s: singleParent.id }, as: { sub: officer.id, client: 'privacy-console', acr: 'high' }, purpose: 'privacy-oversight', caseRef: `DPO-${randomBytes(3).toString('hex')}`,
    });
    expect(search.errors).toBeUndefined();
    expect(search.data!.auditSearch.records.find((r) => r.caseReference === caseRef)).toMatchObject({ archived: true });
  });
});
