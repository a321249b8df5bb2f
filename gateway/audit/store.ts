/**
 * The audit store's SQL: appending a batch to the chain (the application's
 * role), reading it in order (verify), and archiving (the owner's role).
 */
import type pg from 'pg';
import type { Database } from '../../platform/database.ts';
import { subjectsOf, type AuditRecordRow, type FieldRef } from '../../platform/audit-row.ts';
import { GENESIS_HASH, chain, type AuditContent, type ChainedRecord, type Checkpoint, type SubjectFields } from './chain.ts';

/**
 * One chain, one writer at a time: a fresh append (and the archive) holds this
 * transaction-scoped advisory lock; the optimistic fast path relies on the
 * primary key on seq instead. Either way concurrent writers can never fork it.
 */
const CHAIN_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('citizen-graph.audit-chain'))`;

/** The last link: the newest live record, else the newest checkpoint, else genesis (seq 0). */
const HEAD_SQL = `
SELECT seq, hash FROM (
  (SELECT seq, hash FROM audit_record ORDER BY seq DESC LIMIT 1)
  UNION ALL
  (SELECT through_seq, through_hash FROM audit_checkpoint ORDER BY through_seq DESC LIMIT 1)
) head ORDER BY seq DESC LIMIT 1`;

const COLUMNS = `seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash,
  outcome, denials, subjects, field_sets, other_fields, subject_ids, prev_hash, hash, trace_id`;

// The whole batch is one parameter: one multi-row INSERT whatever the batch size, no parameter limit.
const INSERT_SQL = `
INSERT INTO audit_record (${COLUMNS})
SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(
  seq bigint, recorded_at timestamptz, request_id text, client text, actor text, purpose text, legal_basis text,
  case_ref text, operation_name text, operation_hash text, outcome text, denials jsonb, subjects jsonb, field_sets jsonb,
  other_fields jsonb, subject_ids text[], prev_hash text, hash text, trace_id text)`;

type RecordRow = AuditRecordRow;

const toRow = (r: ChainedRecord) => ({
  seq: r.seq,
  recorded_at: r.recordedAt,
  request_id: r.requestId,
  client: r.client,
  actor: r.actor,
  purpose: r.purpose,
  legal_basis: r.legalBasis,
  case_ref: r.caseRef,
  operation_name: r.operationName,
  operation_hash: r.operationHash,
  outcome: r.outcome,
  denials: r.denials,
  subjects: r.subjects,
  other_fields: r.otherFields,
  subject_ids: r.subjects.map((s) => s.id),
  prev_hash: r.prevHash,
  hash: r.hash,
  trace_id: r.traceId ?? null,
});

/**
 * A record's subjects as stored (transparency migration 006): each distinct field list once, in `field_sets`, and
 * each subject `{ id, set, consent? }` pointing at its own. request-audit.ts hands every subject with the same fields
 * the same array, so most subjects are placed by identity; equal lists in other arrays still share one set. A subject
 * of any other shape is stored as it is (platform/audit-row.ts reads both), so nothing is ever left out.
 */
export function storedSubjects(subjects: readonly SubjectFields[]): { subjects: string; fieldSets: string } {
  const byList = new Map<readonly FieldRef[], number>();
  const byText = new Map<string, number>();
  const sets: string[] = [];
  const setOf = (fields: readonly FieldRef[]) => {
    let index = byList.get(fields);
    if (index === undefined) {
      const text = JSON.stringify(fields);
      index = byText.get(text);
      if (index === undefined) byText.set(text, (index = sets.push(text) - 1));
      byList.set(fields, index);
    }
    return index;
  };
  const stored = subjects.map((subject) => {
    // Stored as it is, a subject without a field list could read as an index (it would fail its hash): fail closed.
    if (!Array.isArray(subject.fields)) throw new Error('an audit subject without a field list');
    const keys = Object.keys(subject);
    const plain = typeof subject.id === 'string' && keys.every((k) => k === 'id' || k === 'fields' || (k === 'consent' && typeof subject.consent === 'string'));
    if (!plain) return JSON.stringify(subject);
    const consent = subject.consent === undefined ? '' : `,"consent":${JSON.stringify(subject.consent)}`;
    return `{"id":${JSON.stringify(subject.id)},"set":${setOf(subject.fields)}${consent}}`;
  });
  return { subjects: `[${stored.join(',')}]`, fieldSets: `[${sets.join(',')}]` };
}

/** The batch as the INSERT's one JSON parameter (a page's record names thousands of subjects: their part is written by hand). */
export function rowsJson(records: readonly ChainedRecord[]): string {
  return `[${records
    .map((record) => {
      const { subjects, fieldSets } = storedSubjects(record.subjects);
      const { subjects: _subjects, ...rest } = toRow(record);
      return `${JSON.stringify(rest).slice(0, -1)},"subjects":${subjects},"field_sets":${fieldSets}}`;
    })
    .join(',')}]`;
}

export const fromRow = (row: RecordRow): ChainedRecord => ({
  seq: Number(row.seq),
  recordedAt: row.recorded_at.toISOString(),
  requestId: row.request_id,
  client: row.client,
  actor: row.actor,
  purpose: row.purpose,
  legalBasis: row.legal_basis,
  caseRef: row.case_ref,
  operationName: row.operation_name,
  operationHash: row.operation_hash,
  outcome: row.outcome,
  denials: row.denials,
  subjects: subjectsOf(row),
  otherFields: row.other_fields,
  prevHash: row.prev_hash,
  hash: row.hash,
  ...(row.trace_id ? { traceId: row.trace_id } : {}),
});

export interface ChainHead {
  seq: number;
  hash: string;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Appends the batch after `head` as ONE statement (its own transaction: durable
 * when it resolves). Optimistic: the primary key on seq is what keeps the chain
 * linear. If another writer (a second gateway) moved the head, the insert
 * collides on seq, nothing is written, and the batch is chained again from the
 * head as it is now (read under the chain lock, so retrying writers take turns).
 * One round trip per batch in the usual case, instead of lock + read + insert.
 */
export async function appendBatch(db: Database, contents: readonly AuditContent[], head?: ChainHead): Promise<ChainedRecord[]> {
  let current = head;
  for (let attempt = 1; ; attempt++) {
    try {
      if (current) {
        const records = chain(contents, current);
        await db.query(INSERT_SQL, [rowsJson(records)]);
        return records;
      }
      return await db.transaction(async (client) => {
        await client.query(CHAIN_LOCK_SQL);
        const { rows } = await client.query<{ seq: string; hash: string }>(HEAD_SQL);
        const records = chain(contents, rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: GENESIS_HASH });
        await client.query(INSERT_SQL, [rowsJson(records)]);
        return records;
      });
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || attempt >= 20) throw error;
      current = undefined;
    }
  }
}

export type ChainTable = 'audit_record' | 'audit_archive';

/** Records of a table after `afterSeq`, in sequence order, one page at a time, with the ids the citizen's log is indexed by. */
export async function readPage(client: pg.ClientBase, table: ChainTable, afterSeq: number, limit: number): Promise<(ChainedRecord & { subjectIds: string[] })[]> {
  const { rows } = await client.query<RecordRow>(`SELECT ${COLUMNS} FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
  return rows.map((row) => ({ ...fromRow(row), subjectIds: row.subject_ids ?? [] }));
}

export async function readCheckpoints(client: pg.ClientBase): Promise<Checkpoint[]> {
  const { rows } = await client.query<{ through_seq: string; through_hash: string; archived_records: string; created_at: Date; prev_checkpoint: string; hash: string }>(
    'SELECT through_seq, through_hash, archived_records, created_at, prev_checkpoint, hash FROM audit_checkpoint ORDER BY through_seq',
  );
  return rows.map((r) => ({
    throughSeq: Number(r.through_seq),
    throughHash: r.through_hash,
    archivedRecords: Number(r.archived_records),
    createdAt: r.created_at.toISOString(),
    prevCheckpoint: r.prev_checkpoint,
    hash: r.hash,
  }));
}

export async function countRecords(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_record');
  return Number(rows[0]!.n);
}

/**
 * Moves every record up to the newest one older than `cutoff` into
 * audit_archive and writes a checkpoint (the last archived seq and hash),
 * under the chain lock so no append interleaves. Needs the owner's role.
 */
export async function archiveBefore(
  client: pg.ClientBase,
  cutoff: Date,
  makeCheckpoint: (through: { seq: number; hash: string; count: number }, previous: Checkpoint | undefined) => Checkpoint,
): Promise<Checkpoint | undefined> {
  await client.query('BEGIN');
  try {
    await client.query(CHAIN_LOCK_SQL);
    const { rows } = await client.query<{ seq: string; hash: string; n: string }>(
      `SELECT r.seq, r.hash, (SELECT count(*) FROM audit_record WHERE seq <= r.seq) AS n
         FROM audit_record r WHERE r.seq = (SELECT max(seq) FROM audit_record WHERE recorded_at < $1)`,
      [cutoff],
    );
    if (!rows[0]) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const through = { seq: Number(rows[0].seq), hash: rows[0].hash, count: Number(rows[0].n) };
    const previous = (await readCheckpoints(client)).at(-1);
    const checkpoint = makeCheckpoint(through, previous);
    await client.query(`INSERT INTO audit_archive (${COLUMNS}) SELECT ${COLUMNS} FROM audit_record WHERE seq <= $1`, [through.seq]);
    await client.query('DELETE FROM audit_record WHERE seq <= $1', [through.seq]);
    await client.query(
      'INSERT INTO audit_checkpoint (through_seq, through_hash, archived_records, created_at, prev_checkpoint, hash) VALUES ($1, $2, $3, $4, $5, $6)',
      [checkpoint.throughSeq, checkpoint.throughHash, checkpoint.archivedRecords, checkpoint.createdAt, checkpoint.prevCheckpoint, checkpoint.hash],
    );
    await client.query('COMMIT');
    return checkpoint;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
