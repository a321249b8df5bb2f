/**
 * Verifies the Merkle tree against the checkpoints witnesses cosigned, which
 * is what sees what the hash chain cannot: the newest records removed, the
 * history rewritten consistently (records, chain, tree: anyone can recompute
 * hashes, no one but the witness can cosign), or two different trees shown to
 * two readers.
 *
 * 1. Every record (archived and live) is hashed into its leaf again with its
 *    salt and compared with the stored leaf; the roots of the tree so
 *    recomputed are taken at every checkpoint size seen.
 * 2. Checkpoints come from the store, from each witness (its own storage,
 *    which the audit database's owner cannot reach) and from readers (files).
 *    Each is verified against the log's and the witnesses' keys.
 * 3. `judgeCheckpoints` (pure) compares them with the recomputed tree.
 */
import pg from 'pg';
import { openCheckpoint } from '../../platform/tlog/checkpoint.ts';
import { recordLeaf } from '../../platform/tlog/leaf.ts';
import { Frontier, equalHashes, foldRange, nodeKey, rootPlan, toBase64, type Hash } from '../../platform/tlog/merkle.ts';
import type { Verifier } from '../../platform/tlog/note.ts';
import { witnessKey, type WitnessEndpoint } from '../../platform/tlog/witness-list.ts';
import { fromRow } from './store.ts';
import { allCheckpoints, fetchNodes } from './tree-store.ts';
import { latestFromWitness } from './witness-client.ts';
import type { AuditRecordRow } from '../../platform/audit-row.ts';

export interface TreeTrust {
  /** The log's keys (the current one and any retired by a rotation). */
  logKeys: readonly Verifier[];
  witnesses: readonly WitnessEndpoint[];
  quorum: number;
  /** Checkpoints readers were given (signed notes), to be checked against the same tree. */
  extraCheckpoints?: readonly { source: string; note: string }[];
  /** Where to read a witness's latest checkpoint when it does not answer (its own folder, on this machine). */
  witnessFallback?: (endpoint: WitnessEndpoint, origin: string) => string | undefined;
}

/** A checkpoint as seen by the verifier: where it came from, what it says, who signed it. */
export interface SeenCheckpoint {
  source: string;
  size: number;
  root: Hash;
  loggedAt?: Date;
  /** Trusted witness keys ("name+keyid") whose cosignature verified. */
  cosignedBy: string[];
}

export interface TreeFault {
  kind: 'truncated' | 'rewritten' | 'split-view' | 'leaf-mismatch' | 'record-missing' | 'bad-checkpoint' | 'witness-unreachable' | 'unwitnessed';
  /** The first record at fault (seq), or the first of a range. */
  record?: number;
  recordThrough?: number;
  checkpoint?: { source: string; size: number };
  message: string;
}

export interface TreeVerifyResult {
  ok: boolean;
  /** Records taken into the tree and checked against their leaves. */
  leaves: number;
  /** Records not yet in the tree (written since the last round). */
  pending: number;
  /** The largest checkpoint the witness quorum cosigned that matches the tree. */
  latestCosigned?: { size: number; root: string; cosignedBy: string[]; source: string };
  faults: TreeFault[];
}

const describe = (c: { source: string; size: number }) => `checkpoint of size ${c.size} (${c.source})`;

/**
 * The pure comparison. `roots` has the recomputed root at every checkpoint
 * size up to `treeSize`; `recordCount` is the highest record seq the store holds.
 */
export function judgeCheckpoints(checkpoints: readonly SeenCheckpoint[], roots: ReadonlyMap<number, Hash>, treeSize: number, recordCount: number, quorum: number): { faults: TreeFault[]; latest?: SeenCheckpoint } {
  const faults: TreeFault[] = [];
  const sorted = [...checkpoints].sort((a, b) => a.size - b.size);

  // Two cosigned checkpoints of one size with different roots: witnesses were shown different trees.
  const split = new Set<SeenCheckpoint>();
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.size === sorted[i]!.size; j++) {
      const [a, b] = [sorted[i]!, sorted[j]!];
      if (equalHashes(a.root, b.root) || a.cosignedBy.length === 0 || b.cosignedBy.length === 0) continue;
      const odd = roots.has(a.size) && equalHashes(roots.get(a.size)!, a.root) ? b : a;
      split.add(odd);
      faults.push({ kind: 'split-view', checkpoint: { source: odd.source, size: odd.size }, message: `split view: ${describe(a)} and ${describe(b)} are both cosigned, with different roots for the same size: the log showed different trees to different witnesses` });
    }
  }

  const truncatedBy = sorted.filter((c) => c.size > recordCount && c.cosignedBy.length > 0);
  if (truncatedBy.length > 0) {
    const worst = truncatedBy.at(-1)!;
    faults.push({
      kind: 'truncated',
      record: recordCount + 1,
      recordThrough: worst.size,
      checkpoint: { source: worst.source, size: truncatedBy[0]!.size },
      message: `truncated: ${describe(worst)} was cosigned by ${worst.cosignedBy.join(', ')}, but the store ends at record ${recordCount}: records ${recordCount + 1}–${worst.size} were removed (first checkpoint at fault: size ${truncatedBy[0]!.size}, ${truncatedBy[0]!.source})`,
    });
  }

  const matches = (c: SeenCheckpoint) => roots.has(c.size) && equalHashes(roots.get(c.size)!, c.root);
  let latest: SeenCheckpoint | undefined;
  for (const c of sorted) {
    const root = roots.get(c.size);
    if (!root) {
      // Records the checkpoint covers are there, their leaves are not: the tree was cut back.
      if (c.size > treeSize && c.size <= recordCount && c.cosignedBy.length > 0) {
        faults.push({ kind: 'rewritten', checkpoint: { source: c.source, size: c.size }, record: treeSize + 1, recordThrough: c.size, message: `rewritten: ${describe(c)} covers records ${treeSize + 1}–${c.size}, whose leaves are gone from the tree` });
      }
      continue; // beyond the records: truncation (above); or not yet taken in
    }
    if (equalHashes(root, c.root)) {
      if (c.cosignedBy.length >= quorum && (!latest || c.size >= latest.size)) latest = c;
      continue;
    }
    if (split.has(c)) continue;
    // Records up to the largest smaller checkpoint a witness cosigned and the records still make are not at fault.
    const lastGood = sorted.filter((o) => o.size < c.size && o.cosignedBy.length > 0 && matches(o)).at(-1)?.size ?? 0;
    // The records no longer make the tree this checkpoint was of. If another witness cosigned the tree the
    // records do make (at this size or later), whoever holds this checkpoint was shown another tree: a split view.
    // Otherwise the store no longer holds what was checkpointed: a rewritten history.
    const otherWitnessMatches =
      sorted.some((o) => o.source !== c.source && o.size >= c.size && o.cosignedBy.some((w) => !c.cosignedBy.includes(w)) && roots.has(o.size) && equalHashes(roots.get(o.size)!, o.root));
    faults.push(
      otherWitnessMatches
        ? { kind: 'split-view', checkpoint: { source: c.source, size: c.size }, record: lastGood + 1, recordThrough: c.size, message: `split view: ${describe(c)}, cosigned by ${c.cosignedBy.join(', ')}, is of another tree than the one the records make and a witness cosigned (it differs among records ${lastGood + 1}–${c.size})` }
        : { kind: 'rewritten', checkpoint: { source: c.source, size: c.size }, record: lastGood + 1, recordThrough: c.size, message: `rewritten: the records no longer make the tree of ${describe(c)}${c.cosignedBy.length ? `, cosigned by ${c.cosignedBy.join(', ')}` : ''}; the first record at fault is among ${lastGood + 1}–${c.size}` },
    );
  }
  return { faults, latest };
}

const PAGE = 5_000;

export async function verifyTree(connectionString: string, trust: TreeTrust, onProgress?: (checked: number) => void): Promise<TreeVerifyResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const faults: TreeFault[] = [];
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const verifiers = [...trust.logKeys, ...trust.witnesses.map((w) => w.verifier)];
    const witnessKeys = new Set(trust.witnesses.map((w) => witnessKey(w.verifier)));
    const origin = trust.logKeys[0]?.name;

    // 2. Checkpoints from every source.
    const notes: { source: string; note: string }[] = (await allCheckpoints(client)).map((c) => ({ source: 'store', note: c.note + [...c.cosignatures.values()].map((l) => `${l}\n`).join('') }));
    for (const endpoint of trust.witnesses) {
      const source = `witness ${endpoint.verifier.name}`;
      try {
        const note = origin ? await latestFromWitness(endpoint, origin) : undefined;
        if (note) notes.push({ source, note });
      } catch (error) {
        const fallback = origin ? trust.witnessFallback?.(endpoint, origin) : undefined;
        if (fallback) notes.push({ source: `${source} (its folder)`, note: fallback });
        else faults.push({ kind: 'witness-unreachable', message: `${source} at ${endpoint.url} did not answer (${(error as Error).message}): removal of the newest records cannot be ruled out` });
      }
    }
    notes.push(...(trust.extraCheckpoints ?? []));
    const seen: SeenCheckpoint[] = [];
    for (const { source, note } of notes) {
      try {
        const opened = openCheckpoint(note, verifiers);
        if (origin && opened.origin !== origin) throw new Error(`it is of another log ("${opened.origin}")`);
        const logged = opened.verified.find((s) => trust.logKeys.some((k) => k.name === s.name && k.keyId === s.keyId));
        if (!logged) throw new Error("it is not signed by the log's key (after a key rotation, list the old key in AUDIT_LOG_VERIFIER_KEYS)");
        const cosignedBy = [...new Set(opened.verified.map((s) => witnessKey(s)).filter((k) => witnessKeys.has(k)))];
        seen.push({ source, size: opened.size, root: opened.root, loggedAt: new Date(logged.timestamp * 1000), cosignedBy });
      } catch (error) {
        faults.push({ kind: 'bad-checkpoint', checkpoint: { source, size: -1 }, message: `a checkpoint from ${source} is not valid: ${(error as Error).message}` });
      }
    }

    // 1. Records against leaves, roots at every checkpoint size.
    const sizes = new Set(seen.map((c) => c.size));
    const roots = new Map<number, Hash>([[0, new Frontier().root()]]);
    const frontier = new Frontier();
    let recordCount = 0;
    let leafFault: TreeFault | undefined;
    for (;;) {
      const { rows } = await client.query<AuditRecordRow & { salt: Buffer | null; leaf: Buffer | null }>(
        `SELECT r.*, s.salt, n.hash AS leaf FROM (
           (SELECT * FROM audit_archive WHERE seq > $1 ORDER BY seq LIMIT $2) UNION ALL (SELECT * FROM audit_record WHERE seq > $1 ORDER BY seq LIMIT $2)
         ) r LEFT JOIN audit_leaf_salt s ON s.seq = r.seq LEFT JOIN audit_tree_node n ON n.level = 0 AND n.idx = r.seq - 1
         ORDER BY r.seq LIMIT $2`,
        [frontier.size, PAGE],
      );
      let stop = false;
      for (const row of rows) {
        const record = fromRow(row);
        if (record.seq !== frontier.size + 1) {
          // Archived records exported and deleted: the stored leaves stand in for them (the chain's archive checkpoint covers them).
          const gap = await storedLeaves(client, frontier.size, record.seq - 1);
          if (gap.length !== record.seq - 1 - frontier.size) {
            leafFault ??= { kind: 'record-missing', record: frontier.size + 1, message: `record ${frontier.size + 1} is missing and the tree has no leaf for it` };
            stop = true;
            break;
          }
          for (const leaf of gap) {
            frontier.append(leaf);
            if (sizes.has(frontier.size)) roots.set(frontier.size, frontier.root());
          }
        }
        if (!row.salt || !row.leaf) {
          stop = true; // not yet in the tree: the rest is pending
          break;
        }
        const leaf = recordLeaf(record, new Uint8Array(row.salt)).hash;
        if (!equalHashes(leaf, new Uint8Array(row.leaf))) leafFault ??= { kind: 'leaf-mismatch', record: record.seq, message: `record ${record.seq} does not match its leaf in the tree: the record or the tree was edited` };
        // The recomputed leaf, not the stored one: checkpoints are compared with what the records make.
        frontier.append(leaf);
        if (sizes.has(frontier.size)) roots.set(frontier.size, frontier.root());
      }
      onProgress?.(frontier.size);
      if (stop || rows.length < PAGE) break;
    }
    const { rows: countRows } = await client.query<{ last: string | null; leaves: string | null }>(
      `SELECT greatest((SELECT max(seq) FROM audit_record), (SELECT max(seq) FROM audit_archive), (SELECT max(through_seq) FROM audit_checkpoint)) AS last,
              (SELECT max(idx) + 1 FROM audit_tree_node WHERE level = 0) AS leaves`,
    );
    recordCount = Number(countRows[0]?.last ?? 0);
    if (leafFault) faults.push(leafFault);

    // Stored internal nodes must give the same roots (they make the proofs citizens are handed).
    for (const size of [...roots.keys()].filter((s) => s > 0)) {
      const plan = rootPlan(size);
      const nodes = await fetchNodes(client, plan);
      const stored = plan.every((n) => nodes.has(nodeKey(n))) ? foldRange(plan.map((n) => nodes.get(nodeKey(n))!)) : undefined;
      if (!stored || !equalHashes(stored, roots.get(size)!)) {
        faults.push({ kind: 'leaf-mismatch', record: undefined, checkpoint: { source: 'store', size }, message: `the stored tree nodes do not give the root of size ${size} that the records give: the tree was edited` });
        break;
      }
    }

    const judged = judgeCheckpoints(seen, roots, frontier.size, recordCount, trust.quorum);
    faults.push(...judged.faults);
    if (!judged.latest && trust.witnesses.length > 0 && frontier.size > 0) {
      faults.push({ kind: 'unwitnessed', message: `no checkpoint cosigned by ${trust.quorum} trusted witness(es) matches the tree` });
    }
    const latest = judged.latest;
    return {
      ok: faults.length === 0,
      leaves: frontier.size,
      pending: Math.max(0, recordCount - frontier.size),
      latestCosigned: latest && { size: latest.size, root: toBase64(latest.root), cosignedBy: latest.cosignedBy, source: latest.source },
      faults: faults.sort((a, b) => (a.record ?? Infinity) - (b.record ?? Infinity)),
    };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}

/** Stored leaf hashes for seqs (from, through], in order (for records no longer in the store). */
async function storedLeaves(client: pg.ClientBase, from: number, through: number): Promise<Hash[]> {
  const { rows } = await client.query<{ hash: Buffer }>('SELECT hash FROM audit_tree_node WHERE level = 0 AND idx >= $1 AND idx < $2 ORDER BY idx', [from, through]);
  return rows.map((r) => new Uint8Array(r.hash));
}
