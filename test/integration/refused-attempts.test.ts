/**
 * A refused attempt on someone's data is recorded with the person it
 * targeted, so it shows in that person's data tracker and in the privacy
 * officer's search by subject, not only in the actor's own trail.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.close());

async function row(requestId: string) {
  const client = new pg.Client({ connectionString: inject('databases').audit });
  await client.connect();
  try {
    return (await client.query<{ outcome: string; subject_ids: string[]; denials: { code: string; field?: string }[] }>('SELECT outcome, subject_ids, denials FROM audit_record WHERE request_id = $1', [requestId])).rows[0];
  } finally {
    await client.end();
  }
}

describe('refused attempts', () => {
  it("a citizen asking for another citizen by id: the record names the person targeted, and it shows in that person's tracker", async () => {
    const requestId = `attempt-${randomBytes(6).toString('hex')}`;
    const attempt = await system.query({ query: `{ citizen(id: "${single.id}") { givenName annualIncome } }`, as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service', headers: { 'x-request-id': requestId } });
    expect(attempt.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'SUBJECT_OUT_OF_SCOPE' });
    expect(await row(requestId)).toMatchObject({ outcome: 'denied', subject_ids: [single.id] });
    const tracker = await system.query<{ me: { dataAccessLog: { entries: { actor?: string; client: string; at: string; fields: string[] }[] } } }>({
      query: '{ me { dataAccessLog(first: 50) { entries { client at fields } } } }',
      as: { sub: single.id, client: 'citizen-portal' },
      purpose: 'self-service',
    });
    expect(tracker.errors).toBeUndefined();
    expect(tracker.data!.me.dataAccessLog.entries.some((e) => e.client === system.policy.clients['citizen-portal']!.name && e.fields.length === 0)).toBe(true);
  });

  it("a partner's refused income: the partner is named in the record", async () => {
    const requestId = `attempt-${randomBytes(6).toString('hex')}`;
    const r = await system.query<{ me: { partner: { id: string } | null } }>({ query: '{ me { partner { id annualIncome } } }', as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service', headers: { 'x-request-id': requestId } });
    const partner = r.data?.me.partner?.id;
    expect(partner).toBeTruthy();
    expect((await row(requestId))?.subject_ids).toEqual(expect.arrayContaining([mother.id, partner]));
  });
});
