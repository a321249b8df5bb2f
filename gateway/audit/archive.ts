/**
 * Retention: records older than a period move to audit_archive, and a
 * checkpoint (the last archived record's seq and hash, itself hashed and
 * chained to the previous checkpoint) lets the remaining chain verify from
 * there. Run with the audit store's owner role; refuses a broken chain.
 */
import pg from 'pg';
import { GENESIS_HASH, checkpointHash, type Checkpoint } from './chain.ts';
import { archiveBefore } from './store.ts';
import { verifyChain } from './verify.ts';

export function parsePeriod(text: string): number {
  const match = /^(\d{1,5})d$/.exec(text.trim());
  if (!match) throw new Error(`a period is a number of days, e.g. 365d (got "${text}")`);
  return Number(match[1]) * 86_400_000;
}

export async function archiveOlderThan(ownerUrl: string, olderThanMs: number, now = new Date()): Promise<Checkpoint | undefined> {
  const before = await verifyChain(ownerUrl);
  if (!before.ok) throw new Error(`the chain is broken at record ${before.broken!.seq} (${before.broken!.reason}); not archiving`);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await archiveBefore(client, new Date(now.getTime() - olderThanMs), (through, previous) => {
      const body = {
        throughSeq: through.seq,
        throughHash: through.hash,
        archivedRecords: through.count,
        createdAt: now.toISOString(),
        prevCheckpoint: previous?.hash ?? GENESIS_HASH,
      };
      return { ...body, hash: checkpointHash(body) };
    });
  } finally {
    await client.end();
  }
}
