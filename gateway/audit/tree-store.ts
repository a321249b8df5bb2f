/**
 * The Merkle tree's SQL (tables of subgraphs/transparency/migrations/002):
 * perfect nodes, leaf salts, signed checkpoints and witnesses' cosignatures.
 * One statement per batch everywhere; the checkpointer is the only writer.
 */
import type pg from 'pg';
import { nodeKey, type Hash, type NodeId } from '../../platform/tlog/merkle.ts';
import type { AuditRecordRow } from '../../platform/audit-row.ts';
import { fromRow } from './store.ts';
import type { ChainedRecord } from './chain.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

const buffer = (hash: Uint8Array) => Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength);

/** Leaves in the tree: level-0 nodes are written in order, so the count is the highest index + 1. */
export async function treeSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string | null }>('SELECT max(idx) + 1 AS n FROM audit_tree_node WHERE level = 0');
  return Number(rows[0]?.n ?? 0);
}

export async function fetchNodes(db: Queryable, ids: readonly NodeId[]): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  if (ids.length === 0) return found;
  const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
    'SELECT level, idx, hash FROM audit_tree_node WHERE (level, idx) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))',
    [ids.map((n) => n.level), ids.map((n) => n.index)],
  );
  for (const row of rows) found.set(nodeKey({ level: row.level, index: Number(row.idx) }), new Uint8Array(row.hash));
  return found;
}

/** Records (live or archived) after `afterSeq`, in order: what the tree has yet to take in. */
export async function recordsAfter(db: Queryable, afterSeq: number, limit: number): Promise<ChainedRecord[]> {
  const { rows } = await db.query<AuditRecordRow>(
    `(SELECT * FROM audit_record WHERE seq > $1 ORDER BY seq LIMIT $2)
     UNION ALL
     (SELECT * FROM audit_archive WHERE seq > $1 ORDER BY seq LIMIT $2)
     ORDER BY seq LIMIT $2`,
    [afterSeq, limit],
  );
  return rows.map(fromRow);
}

/** New leaves' salts and every perfect node they completed, in one transaction (two statements). */
export async function appendToTree(client: pg.ClientBase, salts: { seq: number; salt: Uint8Array }[], nodes: { level: number; index: number; hash: Hash }[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO audit_leaf_salt (seq, salt) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [salts.map((s) => s.seq), salts.map((s) => buffer(s.salt))]);
    await client.query('INSERT INTO audit_tree_node (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
      nodes.map((n) => n.level),
      nodes.map((n) => n.index),
      nodes.map((n) => buffer(n.hash)),
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export interface StoredCheckpoint {
  size: number;
  root: Hash;
  note: string;
  signedAt: Date;
  /** Cosignature lines, by witness key ("name+keyid"). */
  cosignatures: Map<string, string>;
}

export async function insertCheckpoint(db: Queryable, checkpoint: { size: number; root: Hash; note: string; signedAt: Date }): Promise<void> {
  await db.query('INSERT INTO audit_tree_checkpoint (size, root, note, signed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING', [
    checkpoint.size,
    buffer(checkpoint.root),
    checkpoint.note,
    checkpoint.signedAt,
  ]);
}

export async function insertCosignature(db: Queryable, size: number, witness: string, keyId: string, line: string, at: Date): Promise<void> {
  await db.query('INSERT INTO audit_tree_cosignature (size, witness, key_id, line, cosigned_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [size, witness, keyId, line, at]);
}

const CHECKPOINTS_SQL = `
SELECT c.size, c.root, c.note, c.signed_at,
       coalesce(json_object_agg(s.witness || '+' || s.key_id, s.line) FILTER (WHERE s.witness IS NOT NULL), '{}') AS cosignatures
  FROM audit_tree_checkpoint c LEFT JOIN audit_tree_cosignature s ON s.size = c.size`;

type CheckpointRow = { size: string; root: Buffer; note: string; signed_at: Date; cosignatures: Record<string, string> };
const checkpointOf = (row: CheckpointRow): StoredCheckpoint => ({
  size: Number(row.size),
  root: new Uint8Array(row.root),
  note: row.note,
  signedAt: row.signed_at,
  cosignatures: new Map(Object.entries(row.cosignatures)),
});

/** Every stored checkpoint with its cosignatures, smallest first (verify). */
export async function allCheckpoints(db: Queryable): Promise<StoredCheckpoint[]> {
  const { rows } = await db.query<CheckpointRow>(`${CHECKPOINTS_SQL} GROUP BY c.size ORDER BY c.size`);
  return rows.map(checkpointOf);
}

/** The newest checkpoint the log signed. */
export async function latestCheckpoint(db: Queryable): Promise<StoredCheckpoint | undefined> {
  const { rows } = await db.query<CheckpointRow>(`${CHECKPOINTS_SQL} WHERE c.size = (SELECT max(size) FROM audit_tree_checkpoint) GROUP BY c.size`);
  return rows[0] ? checkpointOf(rows[0]) : undefined;
}

/** The largest size each witness key ("name+keyid") has cosigned. */
export async function cosignedSizes(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ key: string; size: string }>(`SELECT witness || '+' || key_id AS key, max(size) AS size FROM audit_tree_cosignature GROUP BY witness, key_id`);
  return new Map(rows.map((r) => [r.key, Number(r.size)]));
}

export interface WitnessLag {
  /** Records up to here are covered by a checkpoint enough witnesses cosigned. */
  witnessedSize: number;
  /** When the first record after that was written (undefined: none is waiting). */
  oldestUnwitnessedAt?: Date;
}

/**
 * How far witnessing lags, in one statement: the quorum-th largest size the
 * trusted witnesses cosigned, and the time of the first record after it.
 */
export async function witnessLag(db: Queryable, witnessKeys: readonly string[], quorum: number): Promise<WitnessLag> {
  const { rows } = await db.query<{ witnessed: string; oldest: Date | null }>(
    `WITH per_witness AS (
       SELECT max(size) AS size FROM audit_tree_cosignature WHERE witness || '+' || key_id = ANY($1::text[]) GROUP BY witness, key_id
     ), witnessed AS (
       SELECT coalesce((SELECT size FROM per_witness ORDER BY size DESC OFFSET $2 LIMIT 1), 0) AS size
     )
     SELECT w.size AS witnessed, (SELECT recorded_at FROM audit_record WHERE seq > w.size ORDER BY seq LIMIT 1) AS oldest FROM witnessed w`,
    [witnessKeys, quorum - 1],
  );
  return { witnessedSize: Number(rows[0]!.witnessed), oldestUnwitnessedAt: rows[0]!.oldest ?? undefined };
}
