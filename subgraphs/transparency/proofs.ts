/**
 * Proofs for the data tracker: for each (record, person) of a batch, the
 * entry as recorded with that person's salt, the leaf's other commitments,
 * the RFC 6962 inclusion proof against the newest cosigned checkpoint, and
 * that checkpoint with its cosignatures (platform/tlog/proof.ts checks it).
 * Three statements per batch, whatever its size: the checkpoint, the records
 * with their salts, the tree nodes of every proof.
 */
import type { Database } from '../../platform/database.ts';
import { subjectsOf, type AuditRecordRow } from '../../platform/audit-row.ts';
import { recordLeaf, subjectSalt, type LeafRecord } from '../../platform/tlog/leaf.ts';
import { assemble, inclusionPlan, nodeKey, planNodes, toBase64, type Hash } from '../../platform/tlog/merkle.ts';
import { PROOF_FORMAT, type AuditProof } from '../../platform/tlog/proof.ts';

export interface ProofKey {
  seq: number;
  subjectId: string;
}

const CHECKPOINT_SQL = `
SELECT c.size, c.note, array_agg(s.line ORDER BY s.witness, s.key_id) AS lines
  FROM audit_tree_checkpoint c JOIN audit_tree_cosignature s ON s.size = c.size
 WHERE c.size = (SELECT max(size) FROM audit_tree_cosignature)
 GROUP BY c.size, c.note`;

const RECORD_COLUMNS = 'seq, recorded_at, request_id, client, actor, purpose, legal_basis, case_ref, operation_name, operation_hash, outcome, denials, subjects, field_sets, other_fields, hash';
const RECORDS_SQL = `
SELECT r.*, s.salt FROM (
  (SELECT ${RECORD_COLUMNS} FROM audit_record WHERE seq = ANY($1::bigint[]))
  UNION ALL
  (SELECT ${RECORD_COLUMNS} FROM audit_archive WHERE seq = ANY($1::bigint[]))
) r JOIN audit_leaf_salt s ON s.seq = r.seq`;

const NODES_SQL = 'SELECT level, idx, hash FROM audit_tree_node WHERE (level, idx) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))';

type RecordRow = Omit<AuditRecordRow, 'prev_hash'> & { salt: Buffer };

const leafRecord = (row: RecordRow): LeafRecord => ({
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
  hash: row.hash,
});

export async function proofsFor(db: Database, keys: readonly ProofKey[]): Promise<(string | null)[]> {
  const [checkpoint] = await db.query<{ size: number; note: string; lines: string[] }>(CHECKPOINT_SQL);
  if (!checkpoint) return keys.map(() => null);
  const size = Number(checkpoint.size);
  const note = checkpoint.note + checkpoint.lines.map((line) => `${line}\n`).join('');
  const covered = [...new Set(keys.map((k) => k.seq).filter((seq) => seq <= size))];
  if (covered.length === 0) return keys.map(() => null);

  const rows = await db.query<RecordRow>(RECORDS_SQL, [covered]);
  const records = new Map(rows.map((row) => [Number(row.seq), { record: leafRecord(row), salt: new Uint8Array(row.salt) }]));
  const plans = new Map(covered.map((seq) => [seq, inclusionPlan(seq - 1, size)]));
  const needed = planNodes([...plans.values()].flat());
  const nodeRows = await db.query<{ level: number; idx: number; hash: Buffer }>(NODES_SQL, [needed.map((n) => n.level), needed.map((n) => n.index)]);
  const nodes = new Map<string, Hash>(nodeRows.map((n) => [nodeKey({ level: n.level, index: Number(n.idx) }), new Uint8Array(n.hash)]));

  return keys.map(({ seq, subjectId }) => {
    const found = records.get(seq);
    const subject = found?.record.subjects.find((s) => s.id === subjectId);
    if (!found || !subject || seq > size) return null;
    const { record, salt } = found;
    const leaf = recordLeaf(record, salt);
    let hashes: Hash[];
    try {
      hashes = assemble(plans.get(seq)!, nodes);
    } catch {
      return null; // a tree missing nodes gives no proof (verify reports it)
    }
    const proof: AuditProof = {
      format: PROOF_FORMAT,
      entry: {
        seq,
        recordedAt: record.recordedAt,
        client: record.client,
        purpose: record.purpose,
        legalBasis: record.legalBasis,
        caseRef: record.caseRef,
        outcome: record.outcome,
        subject: { id: subject.id, fields: subject.fields.map((f) => ({ field: f.field, agency: f.agency })), salt: toBase64(subjectSalt(salt, subject.id)) },
      },
      leaf: { index: seq - 1, subjects: leaf.subjects, sealed: leaf.sealed },
      inclusion: { treeSize: size, hashes: hashes.map(toBase64) },
      checkpoint: note,
    };
    return JSON.stringify(proof);
  });
}
