/**
 * The audit log against real PostgreSQL: the application role's privileges,
 * records for every data-bearing response under concurrent load, the chain
 * verified (and broken by tampering, as the superuser), retention, the
 * citizen's data tracker and the privacy officer's search, and the refusal of
 * personal data when the audit store is down.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { openDatabase } from '../../platform/database.ts';
import { migrate } from '../../platform/migrate.ts';
import { archiveOlderThan } from '../../gateway/audit/archive.ts';
import type { AuditContent } from '../../gateway/audit/chain.ts';
import { appendBatch } from '../../gateway/audit/store.ts';
import { verifyChain } from '../../gateway/audit/verify.ts';
import { createAuditWriter } from '../../gateway/audit/writer.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { sql } from '../support/sql.ts';

const run = promisify(execFile);
const singleParent = personaByRole('single-parent');
const largeFamily = personaByRole('large-family');
const caseworker = personaByRole('caseworker');
const officer = personaByRole('privacy-officer');


const countRecords = async () => Number((await sql<{ n: string }>(inject('databases').audit, 'SELECT count(*) AS n FROM audit_record'))[0]!.n);

const LOG_QUERY = `query Tracker($exclude: Boolean) { me { dataAccessLog(first: 50, excludeOwnReads: $exclude) {
  entries { at client agencies purpose legalBasis caseReference fields byYou } hasNextPage } } }`;
interface LogEntry { at: string; client: string; agencies: string[]; purpose: string; legalBasis: string | null; caseReference: string | null; fields: string[]; byYou: boolean }
type LogData = { me: { dataAccessLog: { entries: LogEntry[] } } };

describe('audit store privileges', () => {
  it("the application's role may append and read, never update, delete or truncate", async () => {
    const app = new pg.Client({ connectionString: inject('databases').audit });
    await app.connect();
    try {
      await app.query('SELECT count(*) FROM audit_record');
      for (const statement of ['UPDATE audit_record SET actor = actor', 'DELETE FROM audit_record', 'TRUNCATE audit_record', 'DELETE FROM audit_checkpoint', "INSERT INTO audit_checkpoint VALUES (1, 'x', 1, now(), 'x', 'x')"]) {
        await expect(app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
      }
    } finally {
      await app.end();
    }
  });
});

describe('through the gateway', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => system?.close());

  it("shows a caseworker's read in that citizen's data tracker, with purpose, legal basis, case reference and client name, and to nobody else", async () => {
    const caseRef = `CASE-AUDIT-${randomBytes(4).toString('hex')}`;
    const read = await system.query<{ citizen: { givenName: string; children: { id: string }[] } }>({
      query: `query Check($id: ID!) { citizen(id: $id) { givenName annualIncome children { id dateOfBirth } } }`,
      variables: { id: singleParent.id },
      as: { sub: caseworker.id, client: 'caseworker-app' },
      purpose: 'child-benefit-eligibility',
      caseRef,
    });
    expect(read.errors).toBeUndefined();
    expect(read.data?.citizen.givenName).toBeTruthy();

    const own = await system.query<LogData>({ query: LOG_QUERY, variables: { exclude: true }, as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(own.errors).toBeUndefined();
    const entry = own.data!.me.dataAccessLog.entries.find((e) => e.caseReference === caseRef);
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({ client: 'Social Insurance Board caseworker application', purpose: 'child-benefit-eligibility', byYou: false });
    expect(entry!.legalBasis).toMatch(/^statute: GDPR art\. 6\(1\)\(e\); EE Family Benefits Act/);
    expect(entry!.fields).toEqual(expect.arrayContaining(['Citizen.givenName', 'Citizen.annualIncome', 'Citizen.children']));
    expect(entry!.agencies).toEqual(expect.arrayContaining(['identity', 'tax', 'family']));
    // Own reads filtered out: none of the entries is by the citizen.
    expect(own.data!.me.dataAccessLog.entries.every((e) => !e.byYou)).toBe(true);

    // Without the filter, the citizen's own previous look at the log is there too.
    const all = await system.query<LogData>({ query: LOG_QUERY, variables: { exclude: false }, as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(all.data!.me.dataAccessLog.entries.some((e) => e.byYou && e.fields.includes('Citizen.dataAccessLog'))).toBe(true);

    const other = await system.query<LogData>({ query: LOG_QUERY, variables: { exclude: false }, as: { sub: largeFamily.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(other.errors).toBeUndefined();
    expect(other.data!.me.dataAccessLog.entries.some((e) => e.caseReference === caseRef)).toBe(false);

    // Another citizen's log is not readable for a citizen, nor is the log readable under a caseworker's purpose.
    const foreign = await system.query<{ citizen: unknown }>({
      query: `{ citizen(id: "${singleParent.id}") { dataAccessLog { entries { purpose } } } }`,
      as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef,
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(JSON.stringify(foreign.data)).not.toContain('child-benefit-eligibility');
  });

  it('lets the privacy officer search by subject and purpose, and audits the search itself', async () => {
    const caseRef = `DPO-${randomBytes(4).toString('hex')}`;
    const search = await system.query<{ auditSearch: { records: { purpose: string; actor: string; clientName: string; subjects: { citizen: { id: string }; fields: string[] }[] }[] } }>({
      query: `query Search($s: ID!) { auditSearch(subject: $s, purpose: "child-benefit-eligibility", first: 5) { records { purpose actor clientName caseReference subjects { citizen { id } fields } } } }`,
      variables: { s: singleParent.id },
      as: { sub: officer.id, client: 'privacy-console', acr: 'high' },
      purpose: 'privacy-oversight',
      caseRef,
    });
    expect(search.errors).toBeUndefined();
    const records = search.data!.auditSearch.records;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.purpose === 'child-benefit-eligibility' && r.actor === caseworker.id)).toBe(true);
    expect(records[0]!.subjects.some((s) => s.citizen.id === singleParent.id && s.fields.includes('tax:Citizen.annualIncome'))).toBe(true);

    const audited = await sql<{ n: string }>(inject('databases').audit, `SELECT count(*) AS n FROM audit_record WHERE purpose = 'privacy-oversight' AND case_ref = $1 AND outcome = 'served'`, [caseRef]);
    expect(Number(audited[0]!.n)).toBe(1);

    // Nobody else may search.
    const denied = await system.query({ query: '{ auditSearch { records { actor } } }', as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef });
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(JSON.stringify(denied.data ?? null)).not.toContain(caseworker.id);
  });

  it('records denied attempts as denied, and operations without personal data not at all', async () => {
    const before = await countRecords();
    const programmes = await system.query({ query: '{ programmes { code name } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(programmes.errors).toBeUndefined();
    expect(await countRecords()).toBe(before);

    const requestId = `refused-${randomBytes(6).toString('hex')}`;
    const refused = await system.query({ query: '{ me { givenName } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'tax-assessment', caseRef: 'CASE-1', headers: { 'x-request-id': requestId } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
    const rows = await sql<{ outcome: string; denials: { code: string }[]; subjects: unknown[] }>(inject('databases').audit, 'SELECT outcome, denials, subjects FROM audit_record WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([{ outcome: 'denied', denials: [{ code: 'PURPOSE_NOT_ALLOWED' }], subjects: [] }]);

    const fieldId = `field-${randomBytes(6).toString('hex')}`;
    const fieldDenied = await system.query({
      query: `{ citizen(id: "${singleParent.id}") { taxAssessments { year } } }`,
      as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef: 'CASE-2', headers: { 'x-request-id': fieldId },
    });
    expect(fieldDenied.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const denial = await sql<{ outcome: string; denials: { code: string; field: string }[] }>(inject('databases').audit, 'SELECT outcome, denials FROM audit_record WHERE request_id = $1', [fieldId]);
    expect(denial).toEqual([{ outcome: 'denied', denials: [{ code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'Citizen.taxAssessments' }] }]);
  });

  const auditWrites = async () => {
    const text = await (await fetch(system.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    const line = text.split('\n').find((l) => l.startsWith('citizen_graph_audit_write_duration_seconds_count'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('writes exactly one record per data-bearing response under concurrent load (2,000 requests, 20 connections), and the chain verifies', async () => {
    const token = await system.token(singleParent.id, 'citizen-portal');
    const before = await countRecords();
    let next = 0;
    let dataBearing = 0;
    const worker = async () => {
      while (next < 2_000) {
        next += 1;
        const response = await fetch(system.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'self-service' },
          body: JSON.stringify({ query: '{ me { givenName annualIncome children { givenName } } }' }),
        });
        const body = (await response.json()) as { data?: { me?: { givenName?: string } | null }; errors?: unknown[] };
        if (body.data?.me?.givenName) dataBearing += 1;
      }
    };
    const writesBefore = await auditWrites();
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(dataBearing).toBe(2_000);
    expect((await countRecords()) - before).toBe(dataBearing);
    // Operators see the audit write latency; batches group concurrent records, so there are at most as many writes as records.
    const writes = (await auditWrites()) - writesBefore;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(dataBearing);
    const verified = await verifyChain(inject('databases').audit);
    expect(verified).toMatchObject({ ok: true });
    // A correctness test under load, not a timing one: on a busy machine 2,000 requests take longer than the default minute.
  }, 240_000);

  it('npm run audit -- verify passes on the shared store', async () => {
    const { stdout } = await run('npx', ['tsx', 'gateway/audit/cli.ts', 'verify'], { env: { ...process.env, DATABASE_URL_AUDIT: inject('databases').audit } });
    expect(stdout).toMatch(/audit chain OK: \d+ records verified/);
  });
});

describe('when the audit store is down', () => {
  let system: TestSystem;
  beforeAll(async () => {
    // Nothing listens on port 1: every write fails at once.
    system = await startTestSystem({ databases: { ...inject('databases'), audit: 'postgres://audit:x@127.0.0.1:1/audit' } });
  });
  afterAll(async () => system?.close());

  it('refuses personal data with AUDIT_UNAVAILABLE and serves none of it', async () => {
    const response = await system.query<{ me: unknown }>({ query: '{ me { givenName familyName annualIncome } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(response.status).toBe(503);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(response.data).toBeUndefined();
    expect(JSON.stringify(response)).not.toContain(singleParent.name.split(' ')[0]!);
    // Public data needs no record and is still served.
    const programmes = await system.query<{ programmes: unknown[] }>({ query: '{ programmes { code } }', as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(programmes.errors).toBeUndefined();
    expect(programmes.data?.programmes.length).toBeGreaterThan(0);
  });

  it('refuses a mutation with nothing committed: its record cannot be written first, so the change is not made', async () => {
    const channelOf = async () => (await sql<{ notification_channel: string }>(inject('databases').benefits, 'SELECT notification_channel FROM beneficiary WHERE person_id = $1', [singleParent.id]))[0]?.notification_channel ?? '(none)';
    const before = await channelOf();
    const wanted = before === 'post' ? 'EMAIL' : 'POST';
    const response = await system.query({ query: `mutation { setNotificationPreference(channel: ${wanted}) { channel } }`, as: { sub: singleParent.id, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(response.status).toBe(503);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(await channelOf()).toBe(before);
  });
});

describe('tampering and retention (a store of its own, as the superuser)', () => {
  const name = `audit_tamper_${randomBytes(4).toString('hex')}`;
  let url: string;
  const superuser = () => inject('superuserUrl');

  const content = (i: number, recordedAt: Date): AuditContent => ({
    recordedAt: recordedAt.toISOString(), requestId: `req-${i}`, client: 'caseworker-app', actor: 'staff-0001', purpose: 'child-benefit-eligibility',
    legalBasis: 'statute: test', caseRef: `CASE-${i}`, operationName: null, operationHash: '0'.repeat(64), outcome: 'served', denials: [],
    subjects: [{ id: '49622056783', fields: [{ field: 'Citizen.givenName', agency: 'identity' }] }], otherFields: [],
  });
  const expectBrokenAt = async (seq: number, reason: RegExp) => {
    const result = await verifyChain(url);
    expect(result.ok).toBe(false);
    expect(result.broken).toMatchObject({ seq });
    expect(result.broken!.reason).toMatch(reason);
  };

  beforeAll(async () => {
    await sql(superuser(), `CREATE DATABASE ${name}`);
    url = superuser().replace(/\/postgres$/, `/${name}`);
    await migrate(url, agencyMigrationsDir('transparency'));
    const db = openDatabase('tamper', url);
    try {
      const old = Date.now() - 30 * 86_400_000;
      await appendBatch(db, [1, 2, 3, 4].map((i) => content(i, new Date(old + i))));
      await appendBatch(db, [5, 6, 7, 8, 9, 10].map((i) => content(i, new Date(Date.now() + i))));
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await sql(superuser(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('verifies the untouched chain', async () => {
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 10 });
  });

  it('never forks the chain when two writers (two gateways) append at the same time', async () => {
    const writers = [createAuditWriter({ databaseUrl: url }), createAuditWriter({ databaseUrl: url })];
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => writers[i % 2]!.write(content(100 + i, new Date()))));
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 210 });
  });

  it('names an edited record', async () => {
    await sql(url, `UPDATE audit_record SET case_ref = 'CASE-FORGED' WHERE seq = 6`);
    await expectBrokenAt(6, /edited/);
    const cli = await run('npx', ['tsx', 'gateway/audit/cli.ts', 'verify'], { env: { ...process.env, DATABASE_URL_AUDIT: url } }).catch((e: { code: number; stderr: string }) => e);
    expect(cli).toMatchObject({ code: 1 });
    expect((cli as { stderr: string }).stderr).toMatch(/BROKEN at record 6/);
    await sql(url, `UPDATE audit_record SET case_ref = 'CASE-6' WHERE seq = 6`);
    expect((await verifyChain(url)).ok).toBe(true);
  });

  it('names a deleted record', async () => {
    const [row] = await sql<Record<string, unknown>>(url, 'SELECT * FROM audit_record WHERE seq = 5');
    await sql(url, 'DELETE FROM audit_record WHERE seq = 5');
    await expectBrokenAt(5, /deleted/);
    await sql(url, 'INSERT INTO audit_record SELECT * FROM json_populate_record(NULL::audit_record, $1)', [JSON.stringify(row)]);
    expect((await verifyChain(url)).ok).toBe(true);
  });

  it('names the first of two swapped records', async () => {
    const swap = async () => {
      await sql(url, 'UPDATE audit_record SET seq = 1000007 WHERE seq = 7');
      await sql(url, 'UPDATE audit_record SET seq = 7 WHERE seq = 8');
      await sql(url, 'UPDATE audit_record SET seq = 8 WHERE seq = 1000007');
    };
    await swap();
    await expectBrokenAt(7, /reordered/);
    await swap();
    expect((await verifyChain(url)).ok).toBe(true);
  });

  it('archives old records behind a checkpoint that the remaining chain verifies from, and still catches tampering', async () => {
    const checkpoint = await archiveOlderThan(url, 7 * 86_400_000);
    expect(checkpoint).toMatchObject({ throughSeq: 4, archivedRecords: 4 });
    expect(Number((await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM audit_record'))[0]!.n)).toBe(206);
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 210, startSeq: 4 });
    // The archive itself stays verifiable; and an archive emptied to a file leaves the live chain verifiable from the checkpoint.
    await sql(url, `UPDATE audit_archive SET actor = 'someone-else' WHERE seq = 2`);
    await expectBrokenAt(2, /edited/);
    await sql(url, 'DELETE FROM audit_archive');
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 206, startSeq: 4 });
    await sql(url, 'DELETE FROM audit_record WHERE seq = 5');
    await expectBrokenAt(5, /deleted/);
  });
});
