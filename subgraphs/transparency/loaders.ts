/**
 * Reads of the audit store (the application's role: SELECT only here). A
 * citizen's log is one statement per batch of citizens, each with its own page
 * arguments, through a LATERAL join; a citizen's row carries only that
 * citizen's own part of the record, never the other subjects of the same read.
 */
import DataLoader from 'dataloader';
import type { Database } from '../../platform/database.ts';
import type { AuditRecordRow, FieldRef } from '../../platform/audit-row.ts';
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
  archived: boolean;
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
  from?: Date | null;
  to?: Date | null;
  beforeSeq: number | null;
  limit: number;
}

// Archived records stay in view (marked): each table gives its newest rows for the key, the union keeps the page.
const LOG_COLUMNS = 'seq, recorded_at, client, actor, purpose, legal_basis, case_ref, subjects';
const LOG_FILTER = `a.subject_ids @> ARRAY[k.subject]
      AND (k.before_seq IS NULL OR a.seq < k.before_seq)
      AND (k.exclude_actor IS NULL OR a.actor <> k.exclude_actor)`;
const LOG_SQL = `
SELECT k.key, r.seq, r.recorded_at, r.client, r.actor, r.purpose, r.legal_basis, r.case_ref, r.archived,
       (SELECT s->'fields' FROM jsonb_array_elements(r.subjects) s WHERE s->>'id' = k.subject LIMIT 1) AS fields
  FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[]) AS k(key, subject, lim, before_seq, exclude_actor)
 CROSS JOIN LATERAL (
   SELECT * FROM (
     (SELECT ${LOG_COLUMNS}, false AS archived FROM audit_record a WHERE ${LOG_FILTER} ORDER BY a.seq DESC LIMIT k.lim)
     UNION ALL
     (SELECT ${LOG_COLUMNS}, true AS archived FROM audit_archive a WHERE ${LOG_FILTER} ORDER BY a.seq DESC LIMIT k.lim)
   ) both_tables ORDER BY seq DESC LIMIT k.lim
 ) r
 ORDER BY k.key, r.seq DESC`;

const SEARCH_COLUMNS = 'seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash, outcome, denials, subjects';
const SEARCH_FILTER = `($1::text IS NULL OR subject_ids @> ARRAY[$1::text])
   AND ($2::text IS NULL OR client = $2)
   AND ($3::text IS NULL OR purpose = $3)
   AND ($4::timestamptz IS NULL OR recorded_at >= $4)
   AND ($5::timestamptz IS NULL OR recorded_at < $5)
   AND ($6::bigint IS NULL OR seq < $6)`;
const SEARCH_SQL = `
SELECT * FROM (
  (SELECT ${SEARCH_COLUMNS}, false AS archived FROM audit_record WHERE ${SEARCH_FILTER} ORDER BY seq DESC LIMIT $7)
  UNION ALL
  (SELECT ${SEARCH_COLUMNS}, true AS archived FROM audit_archive WHERE ${SEARCH_FILTER} ORDER BY seq DESC LIMIT $7)
) both_tables
 ORDER BY seq DESC
 LIMIT $7`;

const keyOf = (k: LogPageKey) => JSON.stringify([k.subjectId, k.limit, k.beforeSeq, k.excludeActor]);

export function createLoaders(db: Database) {
  return {
    accessLog: new DataLoader<LogPageKey, AccessRow[], string>(
      async (keys) => {
        const ids = keys.map(keyOf);
        const rows = await db.query<AccessRow>(LOG_SQL, [
          ids,
          keys.map((k) => k.subjectId),
          keys.map((k) => k.limit),
          keys.map((k) => k.beforeSeq),
          keys.map((k) => k.excludeActor),
        ]);
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
      db.query<AuditRow>(SEARCH_SQL, [q.subject ?? null, q.client ?? null, q.purpose ?? null, q.from ?? null, q.to ?? null, q.beforeSeq, q.limit]),
  };
}

export type TransparencyLoaders = ReturnType<typeof createLoaders>;
