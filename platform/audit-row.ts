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
  /** The subjects' ids again, for the GIN index of a citizen's log: verify checks them against `subjects`. */
  subject_ids?: string[];
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

const isFieldRef = (f: unknown): f is FieldRef =>
  typeof f === 'object' && f !== null && typeof (f as FieldRef).field === 'string' && typeof (f as FieldRef).agency === 'string';
/** The field references of a stored list as it is (the usual case), or those it holds, or none. */
const fieldList = (fields: unknown): FieldRef[] => (!Array.isArray(fields) ? [] : fields.every(isFieldRef) ? fields : fields.filter(isFieldRef));

/**
 * A record's subjects with their fields, whichever form they were stored in. The one reader of that form: verify,
 * the tree, proofs, the citizen's tracker and the officer's search all go through it, so none can be shown other
 * fields than the hash covers. Anything else (a row edited by hand: a set that is not an index of `field_sets`,
 * fields that are not a list of field references) reads as no fields, or fewer: the record then no longer matches
 * its hash, which `npm run audit -- verify` reports.
 */
export function subjectsOf(row: Pick<AuditRecordRow, 'subjects' | 'field_sets'>): AuditedSubject[] {
  // Each list checked once, not once per subject pointing at it (a page: 10,000 subjects, a handful of lists).
  const sets = Array.isArray(row.field_sets) ? row.field_sets.map(fieldList) : [];
  return row.subjects.map((stored) => {
    if ('fields' in stored) {
      const fields = fieldList(stored.fields);
      return fields === stored.fields ? (stored as AuditedSubject) : { ...stored, fields };
    }
    const { set, ...subject } = stored;
    return { ...subject, fields: Number.isInteger(set) && set >= 0 && set < sets.length ? sets[set]! : [] };
  });
}
