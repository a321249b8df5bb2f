/**
 * How a record's subjects are stored (transparency migration 006): each distinct field list once, each subject
 * pointing at its own. What a record says, its hash and its verification are unchanged; records written before,
 * with the fields inline, read and verify as they did.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { openDatabase } from '../../platform/database.ts';
import { migrate } from '../../platform/migrate.ts';
import { subjectsOf, type AuditRecordRow, type FieldRef } from '../../platform/audit-row.ts';
import { chain, type AuditContent, type SubjectFields } from '../../gateway/audit/chain.ts';
import { appendBatch, storedSubjects } from '../../gateway/audit/store.ts';
import { createLoaders } from '../../subgraphs/transparency/loaders.ts';
import { verifyChain } from '../../gateway/audit/verify.ts';
import { sql } from '../support/sql.ts';

const NAME: FieldRef[] = [{ field: 'Citizen.givenName', agency: 'identity' }, { field: 'Citizen.familyName', agency: 'identity' }];
const INCOME: FieldRef[] = [{ field: 'Citizen.annualIncome', agency: 'tax' }];
const id = (i: number) => String(30_000_000_000 + i);

/** A page's subjects: most share one list object (as request-audit.ts hands them), some an equal copy, one a consent. */
function pageSubjects(n: number): SubjectFields[] {
  return Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? { id: id(i), fields: INCOME } : i % 10 === 1 ? { id: id(i), fields: NAME.map((f) => ({ ...f })) } : i === 2 ? { id: id(i), fields: NAME, consent: 'c0ffee00-0000-4000-8000-000000000001' } : { id: id(i), fields: NAME },
  );
}

const roundTrip = (subjects: SubjectFields[]) => {
  const stored = storedSubjects(subjects);
  return { stored, read: subjectsOf({ subjects: JSON.parse(stored.subjects) as AuditRecordRow['subjects'], field_sets: JSON.parse(stored.fieldSets) as FieldRef[][] }) };
};

describe('a record\'s subjects as stored', () => {
  it('read back exactly as written: ids, fields in order, consent', () => {
    const subjects = pageSubjects(1_000);
    const { stored, read } = roundTrip(subjects);
    expect(read).toEqual(subjects);
    // Equal lists in distinct arrays share one set: two sets for the whole page.
    expect(JSON.parse(stored.fieldSets)).toEqual([INCOME, NAME]);
  });

  it('a page of 10,000 people is a fraction of the inline form', () => {
    const subjects = pageSubjects(10_000);
    const { stored } = roundTrip(subjects);
    const inline = JSON.stringify(subjects).length;
    expect(stored.subjects.length + stored.fieldSets.length).toBeLessThan(inline / 2.5);
  });

  it('a subject without a field list is refused (stored as it is, it could read as an index)', () => {
    expect(() => storedSubjects([{ id: id(1), set: 0 }] as unknown as SubjectFields[])).toThrow(/without a field list/);
  });

  it('a subject of any other shape is stored as it is, and still reads back', () => {
    const odd = [{ id: id(1), fields: NAME, note: 'x' }, { id: id(2), fields: NAME, consent: 7 }, { id: id(3), fields: INCOME }] as unknown as SubjectFields[];
    const { stored, read } = roundTrip(odd);
    expect(JSON.parse(stored.subjects)).toEqual([odd[0], odd[1], { id: id(3), set: 0 }]);
    expect(read).toEqual(odd);
  });

  it('a set that is not there, or fields that are not a list, read as no fields (and the record no longer matches its hash)', () => {
    const odd = [5, -1, 1.5, '0', 'length', '__proto__', null, 1e12];
    for (const set of odd) expect(subjectsOf({ subjects: [{ id: id(1), set }] as never, field_sets: [NAME, 'x'] as never })).toEqual([{ id: id(1), fields: [] }]);
    expect(subjectsOf({ subjects: [{ id: id(1), set: 1 }], field_sets: [NAME, 'x'] as never })).toEqual([{ id: id(1), fields: [] }]);
    expect(subjectsOf({ subjects: [{ id: id(1), set: 0 }], field_sets: null })).toEqual([{ id: id(1), fields: [] }]);
    expect(subjectsOf({ subjects: [{ id: id(1), set: 0 }], field_sets: { 0: NAME } as never })).toEqual([{ id: id(1), fields: [] }]);
    expect(subjectsOf({ subjects: [{ id: id(1), fields: 'x' }] as never, field_sets: null })).toEqual([{ id: id(1), fields: [] }]);
    expect(subjectsOf({ subjects: [{ id: id(1), set: 0 }], field_sets: [[NAME[0], 'x', null, { field: 1, agency: 'tax' }]] as never })).toEqual([{ id: id(1), fields: [NAME[0]] }]);
  });
});


describe('in PostgreSQL (a store of its own, as the superuser)', () => {
  const name = `audit_stored_${randomBytes(4).toString('hex')}`;
  let url: string;
  const content = (i: number, subjects: SubjectFields[]): AuditContent => ({
    recordedAt: new Date(Date.now() + i).toISOString(), requestId: `req-${i}`, client: 'offers-engine', actor: 'offers-engine', purpose: 'proactive-eligibility',
    legalBasis: 'statute: test', caseRef: null, operationName: 'OffersPage', operationHash: '0'.repeat(64), outcome: 'served', denials: [], subjects, otherFields: [],
  });

  beforeAll(async () => {
    const superuser = inject('superuserUrl');
    await sql(superuser, `CREATE DATABASE ${name}`);
    url = superuser.replace(/\/postgres$/, `/${name}`);
    await migrate(url, agencyMigrationsDir('transparency'));
    // A record in the form written before migration 006 (fields inline, no field_sets), chained first.
    const [old] = chain([content(1, [{ id: id(1), fields: INCOME }, { id: id(2), fields: NAME }])], { seq: 0, hash: '0'.repeat(64) });
    await sql(
      url,
      `INSERT INTO audit_record (seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash, outcome, denials, subjects, other_fields, subject_ids, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '[]', $12, '[]', $13, $14, $15)`,
      [old!.seq, old!.recordedAt, old!.requestId, old!.client, old!.actor, old!.purpose, old!.legalBasis, old!.caseRef, old!.operationName, old!.operationHash, old!.outcome, JSON.stringify(old!.subjects), old!.subjects.map((s) => s.id), old!.prevHash, old!.hash],
    );
    const db = openDatabase('stored-subjects', url);
    try {
      await appendBatch(db, [content(2, pageSubjects(3_000))]);
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await sql(inject('superuserUrl'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('a new record keeps its two field lists once; both forms verify in one chain', async () => {
    const rows = await sql<{ seq: number; sets: number | null; inline: boolean }>(url, `SELECT seq::int AS seq, jsonb_array_length(field_sets) AS sets, subjects->0 ? 'fields' AS inline FROM audit_record ORDER BY seq`);
    expect(rows).toEqual([{ seq: 1, sets: null, inline: true }, { seq: 2, sets: 2, inline: false }]);
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 2 });
  });

  it('the citizen\'s tracker reads a subject\'s fields in either form, as verify does', async () => {
    const db = openDatabase('stored-subjects-tracker', url);
    try {
      const log = createLoaders(db).accessLog;
      const fieldsOf = async (subject: string) => (await log.load({ subjectId: subject, limit: 10, beforeSeq: null, excludeActor: null })).map((r) => [Number(r.seq), r.fields, r.consent_id]);
      expect(await fieldsOf(id(1))).toEqual([[2, NAME, null], [1, INCOME, null]]);
      expect(await fieldsOf(id(2))).toEqual([[2, NAME, 'c0ffee00-0000-4000-8000-000000000001'], [1, NAME, null]]);
      expect(await fieldsOf(id(10))).toEqual([[2, INCOME, null]]);
    } finally {
      await db.close();
    }
  });

  it('hand-edited into any other form, the tracker shows what verify checks, never fails, and verify names the record (from the attack review)', async () => {
    const db = openDatabase('stored-subjects-forms', url);
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const original = await sql<{ subjects: unknown; field_sets: unknown }>(url, 'SELECT subjects, field_sets FROM audit_record WHERE seq = 2');
      const edits: [string, string][] = [
        ['field_sets as an object', `UPDATE audit_record SET field_sets = jsonb_build_object('0', field_sets->0, '1', field_sets->1) WHERE seq = 2`],
        ['set 0.0', `UPDATE audit_record SET subjects = jsonb_set(subjects, '{1,set}', '0.0') WHERE seq = 2`],
        ['set -1', `UPDATE audit_record SET subjects = jsonb_set(subjects, '{1,set}', '-1') WHERE seq = 2`],
        ['set "a"', `UPDATE audit_record SET subjects = jsonb_set(subjects, '{1,set}', '"a"') WHERE seq = 2`],
        ['set 1e20', `UPDATE audit_record SET subjects = jsonb_set(subjects, '{1,set}', '1e20') WHERE seq = 2`],
        ['a list of non-fields', `UPDATE audit_record SET field_sets = '["x", [[1, 2]], [null]]' WHERE seq = 2`],
        ['fields not a list', `UPDATE audit_record SET subjects = jsonb_set(subjects, '{1}', '{"id": "${id(1)}", "fields": "x"}') WHERE seq = 2`],
      ];
      for (const [label, edit] of edits) {
        await owner.query(edit);
        const [row] = await sql<Parameters<typeof subjectsOf>[0]>(url, 'SELECT subjects, field_sets FROM audit_record WHERE seq = 2');
        const asVerifyReads = subjectsOf(row!).find((s) => s.id === id(1))!.fields;
        const tracker = (await createLoaders(db).accessLog.load({ subjectId: id(1), limit: 10, beforeSeq: null, excludeActor: null })).find((r) => Number(r.seq) === 2);
        expect(tracker?.fields, label).toEqual(asVerifyReads);
        const result = await verifyChain(url);
        // Either the edit changed what the record says, and verify names it, or it did not, and the tracker shows what was hashed.
        if (result.ok) expect(asVerifyReads, label).toEqual(NAME);
        else expect(result.broken, label).toMatchObject({ seq: 2 });
        await owner.query('UPDATE audit_record SET subjects = $1, field_sets = $2 WHERE seq = 2', [JSON.stringify(original[0]!.subjects), JSON.stringify(original[0]!.field_sets)]);
      }
      expect(await verifyChain(url)).toMatchObject({ ok: true });
    } finally {
      await owner.end();
      await db.close();
    }
  });

  it('subject ids emptied or changed (outside the hash) are named by verify (from the attack review)', async () => {
    await sql(url, `UPDATE audit_record SET subject_ids = '{}' WHERE seq = 2`);
    expect(await verifyChain(url)).toMatchObject({ ok: false, broken: { seq: 2, reason: expect.stringMatching(/subject ids were edited/) } });
    await sql(url, `UPDATE audit_record SET subject_ids = ARRAY(SELECT s->>'id' FROM jsonb_array_elements(subjects) s) WHERE seq = 2`);
    expect(await verifyChain(url)).toMatchObject({ ok: true });
  });

  it('an edited field list breaks the record it belongs to', async () => {
    await sql(url, `UPDATE audit_record SET field_sets = jsonb_set(field_sets, '{0,0,field}', '"Citizen.dateOfBirth"') WHERE seq = 2`);
    expect(await verifyChain(url)).toMatchObject({ ok: false, broken: { seq: 2 } });
    await sql(url, `UPDATE audit_record SET field_sets = jsonb_set(field_sets, '{0,0,field}', '"Citizen.annualIncome"') WHERE seq = 2`);
    expect(await verifyChain(url)).toMatchObject({ ok: true });
    // A subject moved to the other list is caught the same way.
    await sql(url, `UPDATE audit_record SET subjects = jsonb_set(subjects, '{5,set}', '0') WHERE seq = 2`);
    expect(await verifyChain(url)).toMatchObject({ ok: false, broken: { seq: 2 } });
  });
});
