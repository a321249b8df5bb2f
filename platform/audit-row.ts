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
  subjects: { id: string; fields: FieldRef[] }[];
  other_fields: FieldRef[];
  prev_hash: string;
  hash: string;
  /** Since transparency migration 003; outside the hash. */
  trace_id?: string | null;
}
