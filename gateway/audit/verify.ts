/**
 * Walks the chain and names the first record where it breaks: the archived
 * part (if kept), then the live records from the newest checkpoint on. Reads
 * only, so the application's role can run it.
 */
import pg from 'pg';
import { GENESIS_HASH, checkpointHash, recordHash, type Checkpoint } from './chain.ts';
import { readCheckpoints, readPage, type ChainTable } from './store.ts';

export interface VerifyResult {
  ok: boolean;
  /** Records whose links and hashes were checked. */
  checked: number;
  /** Where the live chain starts (the newest checkpoint's seq, or 0). */
  startSeq: number;
  /** The first broken record (by seq) and why. */
  broken?: { seq: number; table: ChainTable | 'audit_checkpoint'; reason: string };
}

const PAGE = 5_000;

const sameIds = (ids: readonly string[], subjects: readonly { id: string }[]) => ids.length === subjects.length && subjects.every((s, i) => s.id === ids[i]);

interface Link {
  seq: number;
  hash: string;
}

/** Checks one table's records in order after `start`; returns the last link, or the break. */
async function walk(client: pg.ClientBase, table: ChainTable, start: Link, onProgress?: (checked: number) => void): Promise<{ last: Link; checked: number; broken?: VerifyResult['broken'] }> {
  let last = start;
  let checked = 0;
  for (;;) {
    const page = await readPage(client, table, last.seq, PAGE);
    for (const record of page) {
      const expected = last.seq + 1;
      if (record.seq !== expected) {
        return { last, checked, broken: { seq: expected, table, reason: `record ${expected} is missing (the next one is ${record.seq}): records were deleted` } };
      }
      if (record.prevHash !== last.hash) {
        return { last, checked, broken: { seq: record.seq, table, reason: `record ${record.seq} does not link to record ${last.seq}: records were reordered or replaced` } };
      }
      if (recordHash(record, record.seq, record.prevHash) !== record.hash) {
        return { last, checked, broken: { seq: record.seq, table, reason: `record ${record.seq} does not match its hash: its content was edited` } };
      }
      // Outside the hash, but what finds a record for a citizen's tracker: emptied, the record would drop out of it.
      if (!sameIds(record.subjectIds, record.subjects)) {
        return { last, checked, broken: { seq: record.seq, table, reason: `record ${record.seq} is indexed under other people than its subjects: its subject ids were edited` } };
      }
      last = { seq: record.seq, hash: record.hash };
      checked += 1;
    }
    onProgress?.(checked);
    if (page.length < PAGE) return { last, checked };
  }
}

function verifyCheckpoints(checkpoints: readonly Checkpoint[]): VerifyResult['broken'] {
  let previous = GENESIS_HASH;
  for (const checkpoint of checkpoints) {
    if (checkpoint.prevCheckpoint !== previous || checkpointHash(checkpoint) !== checkpoint.hash) {
      return { seq: checkpoint.throughSeq, table: 'audit_checkpoint', reason: `checkpoint through record ${checkpoint.throughSeq} was altered` };
    }
    previous = checkpoint.hash;
  }
  return undefined;
}

export async function verifyChain(connectionString: string, onProgress?: (checked: number) => void): Promise<VerifyResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // One snapshot for the whole walk: appends during it neither break nor extend what is checked.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checkpoints = await readCheckpoints(client);
    const latest = checkpoints.at(-1);
    const startSeq = latest?.throughSeq ?? 0;
    const checkpointBreak = verifyCheckpoints(checkpoints);
    if (checkpointBreak) return { ok: false, checked: 0, startSeq, broken: checkpointBreak };
    let checked = 0;

    // The archive, when kept, must chain from genesis up to exactly the newest checkpoint.
    const archived = await walk(client, 'audit_archive', { seq: 0, hash: GENESIS_HASH }, onProgress);
    checked += archived.checked;
    if (archived.broken) return { ok: false, checked, startSeq, broken: archived.broken };
    if (latest && archived.checked > 0 && (archived.last.seq !== latest.throughSeq || archived.last.hash !== latest.throughHash)) {
      return { ok: false, checked, startSeq, broken: { seq: archived.last.seq, table: 'audit_archive', reason: `the archive ends at record ${archived.last.seq}, not at the checkpoint's record ${latest.throughSeq}` } };
    }

    const live = await walk(client, 'audit_record', latest ? { seq: latest.throughSeq, hash: latest.throughHash } : { seq: 0, hash: GENESIS_HASH }, (n) => onProgress?.(checked + n));
    checked += live.checked;
    if (!live.broken) {
      // Records at or before the checkpoint cannot be live: the walk above starts after it and would not see them.
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_record WHERE seq <= $1', [startSeq]);
      if (Number(rows[0]!.n) > 0) return { ok: false, checked, startSeq, broken: { seq: startSeq, table: 'audit_record', reason: `live records at or before checkpoint ${startSeq}` } };
    }
    return live.broken ? { ok: false, checked, startSeq, broken: live.broken } : { ok: true, checked, startSeq };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}
