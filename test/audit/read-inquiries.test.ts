/**
 * "Ask about this read" through the real gateway: a citizen asks the data
 * protection officer about an entry of their tracker (or of their child's),
 * the officer sees it with the record in the privacy console's purpose and
 * answers once, the citizen reads the answer. Nobody asks about another
 * person's entry, citizens cannot answer or list the questions, and the
 * question is itself audited.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother').id;
const other = personaByRole('single-parent').id;
const caseworker = personaByRole('caseworker').id;
const officer = personaByRole('privacy-officer').id;

let system: TestSystem;
const asCitizen = (sub: string) => ({ as: { sub, client: 'citizen-portal' }, purpose: 'self-service' });
const asOfficer = () => ({ as: { sub: officer, client: 'privacy-console', acr: 'high' as const }, purpose: 'privacy-oversight', caseRef: `DPO-${randomBytes(3).toString('hex')}` });
const ASK = 'mutation Ask($entry: ID!, $q: String!, $about: ID) { askAboutRead(entryId: $entry, question: $q, about: $about) { id entryId question askedAt answer answeredAt } }';
const ANSWER = 'mutation Answer($id: ID!, $a: String!) { answerReadInquiry(id: $id, answer: $a) { id answer answeredAt } }';

async function entryOf(sub: string, subject?: string): Promise<{ id: string; clientId: string }> {
  const query = subject
    ? `query($id: ID!) { citizen(id: $id) { dataAccessLog(first: 5, excludeOwnReads: true) { entries { id clientId byYou } } } }`
    : '{ me { dataAccessLog(first: 5, excludeOwnReads: true) { entries { id clientId byYou } } } }';
  const r = await system.query<Record<string, { dataAccessLog: { entries: { id: string; clientId: string }[] } }>>({ query, variables: subject ? { id: subject } : undefined, ...asCitizen(sub) });
  expect(r.errors).toBeUndefined();
  const entry = Object.values(r.data!)[0]!.dataAccessLog.entries[0];
  expect(entry).toBeDefined();
  return entry!;
}

beforeAll(async () => {
  system = await startTestSystem();
  // A read by another party, for the mother's tracker to have something to ask about.
  const read = await system.query({
    query: `query($id: ID!) { citizen(id: $id) { givenName children { id } } }`,
    variables: { id: mother },
    as: { sub: caseworker, client: 'caseworker-app' },
    purpose: 'child-benefit-eligibility',
    caseRef: `SKA-CASE-${randomBytes(3).toString('hex')}`,
  });
  expect(read.errors).toBeUndefined();
});
afterAll(async () => {
  await system?.close();
});

describe('ask about this read', () => {
  let inquiryId: string;
  let entryId: string;

  it('a citizen asks about an entry of their tracker; the question is audited', async () => {
    const entry = await entryOf(mother);
    entryId = entry.id;
    const requestId = `ask-${randomBytes(4).toString('hex')}`;
    const asked = await system.query<{ askAboutRead: { id: string; entryId: string; question: string; answer: string | null } }>({
      query: ASK,
      variables: { entry: entry.id, q: '  Why did the Social Insurance Board look at my data?  ' },
      ...asCitizen(mother),
      headers: { 'x-request-id': requestId },
    });
    expect(asked.errors).toBeUndefined();
    expect(asked.data!.askAboutRead).toMatchObject({ entryId: entry.id, question: 'Why did the Social Insurance Board look at my data?', answer: null });
    inquiryId = asked.data!.askAboutRead.id;

    const client = new pg.Client(inject('databases').audit);
    await client.connect();
    try {
      const { rows } = await client.query<{ client: string; subject_ids: string[]; outcome: string }>('SELECT client, subject_ids, outcome FROM audit_record WHERE request_id = $1', [requestId]);
      // The mutation's record before it runs, and the record of what it returned.
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.every((r) => r.client === 'citizen-portal')).toBe(true);
      expect(rows.some((r) => r.outcome === 'served')).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('nobody asks about an entry that is not theirs, or for someone they do not represent', async () => {
    const foreign = await system.query({ query: ASK, variables: { entry: entryId, q: 'Who is this?' }, ...asCitizen(other) });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const notRepresented = await system.query({ query: ASK, variables: { entry: entryId, q: 'Who is this?', about: mother }, ...asCitizen(other) });
    expect(notRepresented.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND|UNAUTHORIZED_FIELD_OR_TYPE/);
    const unknown = await system.query({ query: ASK, variables: { entry: '999999999999', q: 'Who?' }, ...asCitizen(mother) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const empty = await system.query({ query: ASK, variables: { entry: entryId, q: '   ' }, ...asCitizen(mother) });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const r of [foreign, notRepresented, unknown, empty]) expect(r.status).toBeLessThan(500);
  });

  it('a parent asks about an entry of their child\'s tracker', async () => {
    const { data } = await system.query<{ me: { wards: { id: string }[] } }>({ query: '{ me { wards { id } } }', ...asCitizen(mother) });
    const child = data!.me.wards[0]!.id;
    const childEntry = await entryOf(mother, child).catch(() => undefined);
    if (!childEntry) return; // the child's tracker may hold only the parent's own reads
    const asked = await system.query({ query: ASK, variables: { entry: childEntry.id, q: 'Who read my son’s data?', about: child }, ...asCitizen(mother) });
    expect(asked.errors).toBeUndefined();
  });

  it('citizens can neither list the questions nor answer them', async () => {
    const list = await system.query({ query: '{ readInquiries { id question } }', ...asCitizen(mother) });
    expect(list.errors?.[0]?.extensions?.code).toMatch(/UNAUTHORIZED_FIELD_OR_TYPE|PURPOSE_NOT_ALLOWED/);
    expect(JSON.stringify(list.data ?? null)).not.toContain('Social Insurance Board look');
    const answer = await system.query({ query: ANSWER, variables: { id: inquiryId, a: 'Nothing to see.' }, ...asCitizen(mother) });
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('the privacy officer sees the question with the record and whose it is, and answers it once', async () => {
    const list = await system.query<{ readInquiries: { id: string; question: string; answer: string | null; citizen: { id: string; givenName: string }; entry: { seq: string; client: string; purpose: string; caseReference: string } | null }[] }>({
      query: '{ readInquiries(answered: false) { id question answer citizen { id givenName } entry { seq client purpose caseReference } } }',
      ...asOfficer(),
    });
    expect(list.errors).toBeUndefined();
    const mine = list.data!.readInquiries.find((q) => q.id === inquiryId)!;
    expect(mine).toMatchObject({ answer: null, citizen: { id: mother }, entry: { seq: entryId } });
    expect(mine.citizen.givenName).toBeTruthy();

    const answered = await system.query<{ answerReadInquiry: { answer: string; answeredAt: string } }>({
      query: ANSWER,
      variables: { id: inquiryId, a: 'A caseworker checked your family’s child allowance, case SKA-CASE.' },
      ...asOfficer(),
    });
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.answerReadInquiry.answeredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const again = await system.query({ query: ANSWER, variables: { id: inquiryId, a: 'Changed my mind.' }, ...asOfficer() });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const unknown = await system.query({ query: ANSWER, variables: { id: 'not-a-uuid', a: 'x' }, ...asOfficer() });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const open = await system.query<{ readInquiries: { id: string }[] }>({ query: '{ readInquiries(answered: false) { id } }', ...asOfficer() });
    expect(open.data!.readInquiries.map((q) => q.id)).not.toContain(inquiryId);
  });

  it('the citizen reads the answer beside their question', async () => {
    const { data, errors } = await system.query<{ me: { readInquiries: { id: string; entryId: string; answer: string | null }[] } }>({
      query: '{ me { readInquiries { id entryId question answer answeredAt } } }',
      ...asCitizen(mother),
    });
    expect(errors).toBeUndefined();
    expect(data!.me.readInquiries.find((q) => q.id === inquiryId)).toMatchObject({ entryId, answer: 'A caseworker checked your family’s child allowance, case SKA-CASE.' });
    const others = await system.query<{ me: { readInquiries: { id: string }[] } }>({ query: '{ me { readInquiries { id } } }', ...asCitizen(other) });
    expect(others.data!.me.readInquiries.map((q) => q.id)).not.toContain(inquiryId);
  });
});
