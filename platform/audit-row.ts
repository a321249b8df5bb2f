/**
 * A row of `audit_record`, the table this folder's migrations create: the
 * gateway's audit writer appends rows (gateway/audit/store.ts) and the
 * loaders here read them. Keys are the column names.
 */
export interface FieldRef {
  field: string;
  agency: string;
}

export interface Denial {
  code: string;
  field?: string;
}

export interface AuditRecordRow {
  seq: number;
  recorded_at: Date;
  request_id: string;
  client: string;
  actor: string;
  purpose: string;
  legal_basis: string | null;
  case_ref: string | null;
  operation_name: string | null;
  operation_hash: string;
  outcome: 'served' | 'denied';
  denials: Denial[];
  /** Each subject's fields inline, or (since transparency migration 006) an index into `field_sets`: read them with subjectsOf(). */
  subjects: StoredSubject[];
  /** Each distinct field list of the record once (null in records written before migration 006). */
  field_sets?: FieldRef[][] | null;
  other_fields: FieldRef[];
  prev_hash: string;
  hash: string;
  /** Since transparency migration 003; outside the hash. */
  trace_id?: string | null;
}

/** A subject of a record: who, which fields were read, and `consent`, the id of the consent a partner read them under. */
export interface AuditedSubject {
  id: string;
  fields: FieldRef[];
  consent?: string;
}

/** A subject as stored: its fields inline, or the index of its field list in the record's `field_sets`. */
export type StoredSubject = { id: string; consent?: string } & ({ fields: FieldRef[] } | { set: number });

/**
 * A record's subjects with their fields, whichever form they were stored in (the SQL function audit_subject_fields,
 * transparency migration 006, is the same rule). Anything else (a row edited by hand: a set that is not there, fields
 * that are not a list) reads as no fields: the record then no longer matches its hash, which `npm run audit -- verify`
 * reports.
 */
export function subjectsOf(row: Pick<AuditRecordRow, 'subjects' | 'field_sets'>): AuditedSubject[] {
  const sets = row.field_sets;
  return row.subjects.map((stored) => {
    if ('fields' in stored) return Array.isArray(stored.fields) ? (stored as AuditedSubject) : { ...stored, fields: [] };
    const { set, ...subject } = stored;
    const fields = Number.isInteger(set) && set >= 0 ? sets?.[set] : undefined;
    return { ...subject, fields: Array.isArray(fields) ? fields : [] };
  });
}
