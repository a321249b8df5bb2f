/**
 * The audit writer against a store of its own: a record the store refuses
 * fails only its own request (the batch is retried record by record, the
 * circuit stays closed), and the queue is bounded (past it, a write fails at
 * once instead of waiting).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditContent } from '../../gateway/audit/chain.ts';
import { verifyChain } from '../../gateway/audit/verify.ts';
import { AuditUnavailable, createAuditWriter } from '../../gateway/audit/writer.ts';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { migrate } from '../../platform/migrate.ts';

const name = `audit_writer_${randomBytes(4).toString('hex')}`;
let url: string;

async function sql(connectionString: string, text: string) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const content = (i: number, operationName: string | null = null): AuditContent => ({
  recordedAt: new Date().toISOString(), requestId: `writer-${i}`, client: 'caseworker-app', actor: 'staff-0001', purpose: 'child-benefit-eligibility',
  legalBasis: 'statute: test', caseRef: `CASE-${i}`, operationName, operationHash: '0'.repeat(64), outcome: 'served', denials: [],
  subjects: [{ id: '49622056783', fields: [{ field: 'Citizen.givenName', agency: 'identity' }] }], otherFields: [],
});

beforeAll(async () => {
  await sql(inject('superuserUrl'), `CREATE DATABASE ${name}`);
  url = inject('superuserUrl').replace(/\/postgres$/, `/${name}`);
  await migrate(url, agencyMigrationsDir('transparency'));
});
afterAll(async () => {
  await sql(inject('superuserUrl'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('the audit writer', () => {
  it('a record the store refuses (a NUL character) fails only its own request, not its batch', async () => {
    const writer = createAuditWriter({ databaseUrl: url });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => writer.write(content(i, i === 7 ? 'Bad\u0000Name' : `Op${i}`))));
      const rejected = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
      expect(rejected).toEqual([7]);
      expect((outcomes[7] as PromiseRejectedResult).reason).toBeInstanceOf(AuditUnavailable);
      // The circuit did not open: the next record is written at once.
      await expect(writer.write(content(100))).resolves.toMatchObject({ requestId: 'writer-100' });
    } finally {
      await writer.close();
    }
    expect(await verifyChain(url)).toMatchObject({ ok: true, checked: 30 });
  });

  it('the queue is bounded: past it a write fails at once, and what was queued is still written', async () => {
    const writer = createAuditWriter({ databaseUrl: url, maxQueue: 5 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => writer.write(content(200 + i))));
      const written = outcomes.filter((o) => o.status === 'fulfilled').length;
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((o) => (o as PromiseRejectedResult).reason instanceof AuditUnavailable)).toBe(true);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThanOrEqual(6);
    } finally {
      await writer.close();
    }
  });
});
