/**
 * "Ask about this read": the questions citizens ask the data protection
 * officer about entries of their data tracker, and the answers. Both tables
 * are append-only for the application's role, like the log they are about.
 * One statement per batch for the reads; the writes check in the same
 * statement that the entry is the person's (a record of their data).
 */
import DataLoader from 'dataloader';
import type { Database } from '../../platform/database.ts';
import type { AuditRow } from './loaders.ts';

export interface InquiryRow {
  id: string;
  seq: number;
  subject_id: string;
  asked_by: string;
  question: string;
  asked_at: Date;
  answer: string | null;
  answered_at: Date | null;
}

const COLUMNS = 'q.id, q.seq, q.subject_id, q.asked_by, q.question, q.asked_at, a.answer, a.answered_at';
const FROM = 'read_inquiry q LEFT JOIN read_inquiry_answer a ON a.inquiry_id = q.id';
const RECORD_COLUMNS = 'seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash, outcome, denials, subjects, field_sets';

export function createInquiryLoaders(db: Database) {
  return {
    /** A citizen's questions, newest first. */
    inquiriesOf: new DataLoader<string, InquiryRow[]>(async (people) => {
      const rows = await db.query<InquiryRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE q.subject_id = ANY($1) ORDER BY q.asked_at DESC, q.id`, [people]);
      return people.map((p) => rows.filter((r) => r.subject_id === p));
    }),
    /** The audit records asked about (live or archived), for the officer. */
    recordBySeq: new DataLoader<number, (AuditRow & { archived: boolean }) | null>(async (seqs) => {
      const rows = await db.query<AuditRow & { archived: boolean }>(
        `SELECT ${RECORD_COLUMNS}, false AS archived FROM audit_record WHERE seq = ANY($1)
         UNION ALL SELECT ${RECORD_COLUMNS}, true AS archived FROM audit_archive WHERE seq = ANY($1)`,
        [seqs],
      );
      return seqs.map((s) => rows.find((r) => Number(r.seq) === s) ?? null);
    }),
    /** For the officer: unanswered first (oldest waiting longest on top), then answered, newest first. */
    list: (answered: boolean | null, limit: number) =>
      db.query<InquiryRow>(
        `SELECT ${COLUMNS} FROM ${FROM}
          WHERE $1::boolean IS NULL OR (a.inquiry_id IS NOT NULL) = $1
          ORDER BY (a.inquiry_id IS NOT NULL), CASE WHEN a.inquiry_id IS NULL THEN q.asked_at END ASC, q.asked_at DESC LIMIT $2`,
        [answered, limit],
      ),
  };
}

export function inquiryStore(db: Database) {
  return {
    /** Records the question when the entry is a record of `subject`'s data; undefined when it is not (or does not exist). */
    async ask(seq: number, subject: string, askedBy: string, question: string): Promise<InquiryRow | undefined> {
      const [row] = await db.query<InquiryRow>(
        `INSERT INTO read_inquiry (seq, subject_id, asked_by, question)
         SELECT $1, $2, $3, $4
          WHERE EXISTS (SELECT 1 FROM audit_record WHERE seq = $1 AND subject_ids @> ARRAY[$2::text])
             OR EXISTS (SELECT 1 FROM audit_archive WHERE seq = $1 AND subject_ids @> ARRAY[$2::text])
         RETURNING id, seq, subject_id, asked_by, question, asked_at, NULL::text AS answer, NULL::timestamptz AS answered_at`,
        [seq, subject, askedBy, question],
      );
      return row;
    },
    /** The answer, once: 'unknown' when there is no such question, 'answered' when it has an answer already. */
    async answer(id: string, answeredBy: string, answer: string): Promise<InquiryRow | 'unknown' | 'answered'> {
      const inserted = await db.query<{ inquiry_id: string }>(
        `INSERT INTO read_inquiry_answer (inquiry_id, answered_by, answer)
         SELECT id, $2, $3 FROM read_inquiry WHERE id = $1
         ON CONFLICT (inquiry_id) DO NOTHING RETURNING inquiry_id`,
        [id, answeredBy, answer],
      );
      const [row] = await db.query<InquiryRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE q.id = $1`, [id]);
      if (!row) return 'unknown';
      return inserted.length === 0 ? 'answered' : row;
    },
  };
}
