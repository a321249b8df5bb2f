/**
 * Reads of the audit store (the application's role: SELECT only here). A
 * citizen's log is one statement per batch of citizens, each with its own page
 * arguments, through a LATERAL join; a citizen's row carries only that
 * citizen's own part of the record, never the other subjects of the same read.
 */
import DataLoader from 'dataloader';
import type { Database } from '../../platform/database.ts';
import { subjectsOf, type AuditRecordRow, type FieldRef, type StoredSubject } from '../../platform/audit-row.ts';
import { proofsFor, type ProofKey } from './proofs.ts';
import { createInquiryLoaders } from './inquiries.ts';

export interface AccessRow {
  key: string;
  seq: number;
  recorded_at: Date;
  client: string;
  actor: string;
  purpose: string;
  legal_basis: string | null;
  case_ref: string | null;
  fields: FieldRef[] | null;
  consent_id: string | null;
  archived: boolean;
}

export interface ConsentRow {
  id: string;
  subject_id: string;
  granted_by: string;
  client: string;
  purpose: string;
  fields: string[];
  purpose_description: string;
  legal_basis: string;
  granted_at: Date;
  /** YYYY-MM-DD (the pool returns dates as text, see CONSENT_COLUMNS). */
  valid_until: string;
  revoked_at: Date | null;
}

export interface NewConsent {
  id: string;
  subjectId: string;
  grantedBy: string;
  client: string;
  purpose: string;
  fields: string[];
  purposeDescription: string;
  legalBasis: string;
  validUntil: string;
}

export interface LogPageKey {
  subjectId: string;
  /** Rows asked for: the page size plus one, to know whether there is a next page. */
  limit: number;
  beforeSeq: number | null;
  excludeActor: string | null;
}

/** What the privacy officer's search reads of a record (not its chain links). */
export type AuditRow = Omit<AuditRecordRow, 'other_fields' | 'prev_hash' | 'hash'> & { archived: boolean };

export interface AuditSearch {
  subject?: string | null;
  client?: string | null;
  purpose?: string | null;
  consent?: string | null;
  from?: Date | null;
  to?: Date | null;
  beforeSeq: number | null;
  limit: number;
}

// Archived records stay in view (marked): each table gives its newest rows for the key, the union keeps the page.
const LOG_COLUMNS = 'seq, recorded_at, client, actor, purpose, legal_basis, case_ref, subjects, field_sets';
const LOG_FILTER = `a.subject_ids @> ARRAY[k.subject]
      AND (k.before_seq IS NULL OR a.seq < k.before_seq)
      AND (k.exclude_actor IS NULL OR a.actor <> k.exclude_actor)`;
/**
 * The newest `limit` rows of the live log and of its archive together, each marked `archived`:
 * an archived read stays in the person's tracker and the search. Each side is limited first, so
 * the union sorts at most twice the page.
 */
const newestOfBoth = (columns: string, filter: string, limit: string) => `SELECT * FROM (
     (SELECT ${columns}, false AS archived FROM audit_record a WHERE ${filter} ORDER BY a.seq DESC LIMIT ${limit})
     UNION ALL
     (SELECT ${columns}, true AS archived FROM audit_archive a WHERE ${filter} ORDER BY a.seq DESC LIMIT ${limit})
   ) both_tables ORDER BY seq DESC LIMIT ${limit}`;

const LOG_SQL = `
SELECT k.key, r.seq, r.recorded_at, r.client, r.actor, r.purpose, r.legal_basis, r.case_ref, r.archived,
       (SELECT s FROM jsonb_array_elements(r.subjects) s WHERE s->>'id' = k.subject LIMIT 1) AS subject, r.field_sets
  FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[]) AS k(key, subject, lim, before_seq, exclude_actor)
 CROSS JOIN LATERAL (
   ${newestOfBoth(LOG_COLUMNS, LOG_FILTER, 'k.lim')}
 ) r
 ORDER BY k.key, r.seq DESC`;

const SEARCH_COLUMNS = 'seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash, outcome, denials, subjects, field_sets';
const SEARCH_FILTER = `($1::text IS NULL OR subject_ids @> ARRAY[$1::text])
   AND ($2::text IS NULL OR client = $2)
   AND ($3::text IS NULL OR purpose = $3)
   AND ($4::timestamptz IS NULL OR recorded_at >= $4)
   AND ($5::timestamptz IS NULL OR recorded_at < $5)
   AND ($6::bigint IS NULL OR seq < $6)
   AND ($8::text IS NULL OR subjects @> jsonb_build_array(jsonb_build_object('consent', $8::text)))`;
const SEARCH_SQL = `
${newestOfBoth(SEARCH_COLUMNS, SEARCH_FILTER, '$7')}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONSENT_SELECT = `
SELECT c.id, c.subject_id, c.granted_by, c.client, c.purpose, c.fields, c.purpose_description, c.legal_basis, c.granted_at,
       to_char(c.valid_until, 'YYYY-MM-DD') AS valid_until, r.revoked_at
  FROM consent c LEFT JOIN consent_revocation r ON r.consent_id = c.id`;

export interface ConsentReadsKey {
  consentId: string;
  subjectId: string;
  limit: number;
}
const readsKeyOf = (k: ConsentReadsKey) => JSON.stringify([k.consentId, k.subjectId, k.limit]);
// A consented read names its consent in its subject's part of the record (gateway/audit/request-audit.ts).
const READS_FILTER = `a.subject_ids @> ARRAY[k.subject] AND a.subjects @> jsonb_build_array(jsonb_build_object('id', k.subject, 'consent', k.consent))`;
const READS_SQL = `
SELECT k.key, r.seq, r.recorded_at, r.client, r.actor, r.purpose, r.legal_basis, r.case_ref, r.archived,
       (SELECT s FROM jsonb_array_elements(r.subjects) s WHERE s->>'id' = k.subject LIMIT 1) AS subject, r.field_sets
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(key, subject, consent, lim)
 CROSS JOIN LATERAL (
   ${newestOfBoth(LOG_COLUMNS, READS_FILTER, 'k.lim')}
 ) r
 ORDER BY k.key, r.seq DESC`;

/** A row of LOG_SQL or READS_SQL: the citizen's own subject of the record as stored, and the record's field lists. */
type StoredAccessRow = Omit<AccessRow, 'fields' | 'consent_id'> & { subject: StoredSubject | null; field_sets: AuditRecordRow['field_sets'] };

/** The citizen's part of a record, read by the one reader of the stored form (subjectsOf), as verify reads it. */
function accessRow({ subject, field_sets, ...row }: StoredAccessRow): AccessRow {
  const own = subject ? subjectsOf({ subjects: [subject], field_sets })[0]! : undefined;
  return { ...row, fields: own?.fields ?? null, consent_id: typeof own?.consent === 'string' ? own.consent : null };
}

const keyOf = (k: LogPageKey) => JSON.stringify([k.subjectId, k.limit, k.beforeSeq, k.excludeActor]);

export function createLoaders(db: Database) {
  return {
    accessLog: new DataLoader<LogPageKey, AccessRow[], string>(
      async (keys) => {
        const ids = keys.map(keyOf);
        const rows = (await db.query<StoredAccessRow>(LOG_SQL, [
          ids,
          keys.map((k) => k.subjectId),
          keys.map((k) => k.limit),
          keys.map((k) => k.beforeSeq),
          keys.map((k) => k.excludeActor),
        ])).map(accessRow);
        const byKey = new Map<string, AccessRow[]>(ids.map((id) => [id, []]));
        for (const row of rows) byKey.get(row.key)?.push(row);
        return ids.map((id) => byKey.get(id) ?? []);
      },
      { cacheKeyFn: keyOf },
    ),
    /** An entry's proof (JSON), or null while no cosigned checkpoint covers it. */
    proof: new DataLoader<ProofKey, string | null, string>((keys) => proofsFor(db, keys), { cacheKeyFn: (k) => `${k.seq}:${k.subjectId}` }),
    ...createInquiryLoaders(db),
    search: (q: AuditSearch) =>
      db.query<AuditRow>(SEARCH_SQL, [q.subject ?? null, q.client ?? null, q.purpose ?? null, q.from ?? null, q.to ?? null, q.beforeSeq, q.limit, q.consent ?? null]),
    /** Each person's consents, newest first: one statement per batch of people. */
    consentsOf: new DataLoader<string, ConsentRow[]>(async (subjects) => {
      const rows = await db.query<ConsentRow & { subject_id: string }>(`${CONSENT_SELECT} WHERE c.subject_id = ANY($1::text[]) ORDER BY c.granted_at DESC, c.id`, [[...subjects]]);
      const bySubject = new Map<string, ConsentRow[]>(subjects.map((s) => [s, []]));
      for (const row of rows) bySubject.get(row.subject_id)?.push(row);
      return subjects.map((s) => bySubject.get(s) ?? []);
    }),
    consentById: new DataLoader<string, ConsentRow | null>(async (ids) => {
      const valid = ids.filter((id) => UUID.test(id));
      const rows = valid.length ? await db.query<ConsentRow>(`${CONSENT_SELECT} WHERE c.id = ANY($1::uuid[])`, [valid]) : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The reads made under each consent (their subject's part of each record), newest first. */
    readsUnder: new DataLoader<ConsentReadsKey, AccessRow[], string>(
      async (keys) => {
        const rows = (await db.query<StoredAccessRow>(READS_SQL, [keys.map(readsKeyOf), keys.map((k) => k.subjectId), keys.map((k) => k.consentId), keys.map((k) => k.limit)])).map(accessRow);
        const byKey = new Map<string, AccessRow[]>(keys.map((k) => [readsKeyOf(k), []]));
        for (const row of rows) byKey.get(row.key)?.push(row);
        return keys.map((k) => byKey.get(readsKeyOf(k)) ?? []);
      },
      { cacheKeyFn: readsKeyOf },
    ),
    async insertConsent(c: NewConsent): Promise<ConsentRow> {
      await db.query(
        `INSERT INTO consent (id, subject_id, granted_by, client, purpose, fields, purpose_description, legal_basis, granted_at, valid_until)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, now(), $9::date)`,
        [c.id, c.subjectId, c.grantedBy, c.client, c.purpose, JSON.stringify(c.fields), c.purposeDescription, c.legalBasis, c.validUntil],
      );
      const [row] = await db.query<ConsentRow>(`${CONSENT_SELECT} WHERE c.id = $1`, [c.id]);
      return row!;
    },
    /** Appends the revocation (the first one stands: revoking twice changes nothing). */
    async revokeConsent(id: string, by: string): Promise<ConsentRow | null> {
      if (!UUID.test(id)) return null;
      await db.query('INSERT INTO consent_revocation (consent_id, revoked_at, revoked_by) SELECT id, now(), $2 FROM consent WHERE id = $1 ON CONFLICT (consent_id) DO NOTHING', [id, by]);
      const [row] = await db.query<ConsentRow>(`${CONSENT_SELECT} WHERE c.id = $1`, [id]);
      return row ?? null;
    },
  };
}

export type TransparencyLoaders = ReturnType<typeof createLoaders>;
