/**
 * A partner reads a person's data only under that person's live consent:
 * through the gateway and, behind it, in every subgraph; a withdrawal holds
 * from the very next request; the audit and the person's tracker name the
 * consent. Real services and PostgreSQL.
 */
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, consentFields } from '../../permissions/consent.ts';
import { today } from '../../platform/clock.ts';
import { CONTEXT_HEADER, signContext, type CallerContext } from '../../platform/context-token.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from '../support/system.ts';
import { subjectsOf } from '../../platform/audit-row.ts';

// Persons used here only (other files use other personas' consents): Tiina consents herself; Peeter never does, but
// consents for his minor child; an expired consent of Peeter's is written straight into the store.
const tiina = personaByRole('near-retirement');
const peeter = personaByRole('large-family');
const BANK = 'partner-bank';
const LOAN = 'loan-affordability';

let system: TestSystem;
let partnerToken: string;
beforeAll(async () => {
  system = await startTestSystem();
  partnerToken = await system.token(BANK, BANK);
});
afterAll(async () => system?.close());

async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: inject('databases').audit });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

type Person = { id: string; givenName: string | null; familyName: string | null; annualIncome: number | null; incomes: { year: number; amount: number }[] | null } | null;
const READ = `query LoanCheck($id: ID!) { citizen(id: $id) { id givenName familyName annualIncome incomes { year amount } } }`;

function partnerReads(id: string, requestId = randomUUID()) {
  return system.query<{ citizen: Person }>({ query: READ, variables: { id }, token: partnerToken, purpose: LOAN, caseRef: 'LOAN-2026-0042', headers: { 'x-request-id': requestId } });
}

const reasons = (r: GraphQLResponse<unknown>) => [...new Set((r.errors ?? []).map((e) => e.extensions?.reason ?? e.extensions?.code))];

function self<T>(sub: string, query: string, variables?: Record<string, unknown>) {
  return system.query<T>({ query, variables, as: { sub, client: 'citizen-portal' }, purpose: 'self-service' });
}

const GRANT = `mutation Grant($client: ID!, $purpose: ID!, $validUntil: Date!, $subject: ID) {
  grantConsent(client: $client, purpose: $purpose, validUntil: $validUntil, subject: $subject) { id subjectId grantedBy fields validUntil state receipt }
}`;
const REVOKE = 'mutation Revoke($id: ID!) { revokeConsent(id: $id) { id state revokedAt } }';
type Granted = { id: string; subjectId: string; grantedBy: string; fields: string[]; validUntil: string; state: string; receipt: string };

describe('a partner under consent', () => {
  let consentId: string;

  it('gets nothing of a person who has not consented (CONSENT_MISSING), and needs a case reference', async () => {
    const result = await partnerReads(tiina.id);
    expect(result.data?.citizen ?? null).toBeNull();
    expect(reasons(result)).toEqual(['CONSENT_MISSING']);
    const noCase = await system.query({ query: READ, variables: { id: tiina.id }, token: partnerToken, purpose: LOAN });
    expect(reasons(noCase)).toEqual(['CASE_REFERENCE_REQUIRED']);
  });

  it('a person consents in self-service: the fields as the policy states them, a Kantara receipt', async () => {
    const validUntil = addDays(today(), 30);
    const result = await self<{ grantConsent: Granted }>(tiina.id, GRANT, { client: BANK, purpose: LOAN, validUntil });
    expect(result.errors).toBeUndefined();
    const granted = result.data!.grantConsent;
    consentId = granted.id;
    expect(granted).toMatchObject({ subjectId: tiina.id, grantedBy: tiina.id, validUntil, state: 'LIVE' });
    expect(granted.fields).toEqual(['Citizen.annualIncome', 'Citizen.familyName', 'Citizen.givenName', 'Citizen.id', 'Citizen.incomes', 'Income.amount', 'Income.year']);
    const receipt = JSON.parse(granted.receipt) as Record<string, unknown>;
    expect(receipt).toMatchObject({ version: 'KI-CR-v1.1.0', jurisdiction: 'EE', consentReceiptID: consentId, piiPrincipalId: tiina.id });
    expect((receipt.services as { purposes: { consentType: string }[] }[])[0]!.purposes[0]!.consentType).toBe('EXPLICIT');
  });

  it('refuses a consent for a purpose not based on consent, a date too far, or for someone not represented, with stable codes', async () => {
    const far = await self(tiina.id, GRANT, { client: BANK, purpose: LOAN, validUntil: addDays(today(), 400) });
    expect(reasons(far)).toEqual(['INVALID_VALID_UNTIL']);
    const notConsent = await self(tiina.id, GRANT, { client: 'caseworker-app', purpose: 'child-benefit-eligibility', validUntil: addDays(today(), 3) });
    expect(reasons(notConsent)).toEqual(['NOT_CONSENT_BASED']);
    const other = await self(tiina.id, GRANT, { client: BANK, purpose: LOAN, validUntil: addDays(today(), 3), subject: peeter.id });
    expect(reasons(other)).toEqual(['NOT_REPRESENTED']);
    expect(other.status).toBeLessThan(500);
  });

  it('with a live consent: exactly the granted fields of that person, nothing of anyone else', async () => {
    const requestId = `consent-read-${randomUUID()}`;
    const result = await system.query<{ a: Person; b: Person; c: { residence: unknown; taxAssessments: unknown } | null }>({
      query: `query Both($a: ID!, $b: ID!) {
        a: citizen(id: $a) { id givenName familyName annualIncome incomes { year amount } }
        b: citizen(id: $b) { id givenName annualIncome }
        c: citizen(id: $a) { residence { street } taxAssessments { year } }
      }`,
      variables: { a: tiina.id, b: peeter.id },
      token: partnerToken,
      purpose: LOAN,
      caseRef: 'LOAN-2026-0042',
      headers: { 'x-request-id': requestId },
    });
    expect(result.data?.a).toMatchObject({ id: tiina.id, givenName: expect.any(String), familyName: expect.any(String) });
    expect(result.data!.a!.annualIncome).toBeTypeOf('number');
    expect(result.data!.a!.incomes!.length).toBeGreaterThan(0);
    expect(result.data?.b ?? null).toBeNull();
    expect(result.data?.c?.residence ?? null).toBeNull();
    expect(result.data?.c?.taxAssessments ?? null).toBeNull();
    const byPath = Object.fromEntries((result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.reason]));
    expect(byPath).toMatchObject({ b: 'CONSENT_MISSING', 'c.residence': 'NOT_GRANTED', 'c.taxAssessments': 'NOT_GRANTED' });

    // The audit record names the consent for Tiina's fields; Peeter appears only as refused.
    const [record] = await sql<{ outcome: string; case_ref: string } & Parameters<typeof subjectsOf>[0]>(
      'SELECT outcome, subjects, field_sets, case_ref FROM audit_record WHERE request_id = $1',
      [requestId],
    );
    const subjects = subjectsOf(record!);
    expect(record!.outcome).toBe('served');
    expect(record!.case_ref).toBe('LOAN-2026-0042');
    // (A refused person may be named as targeted, with no fields.)
    const served = subjects.filter((s) => s.fields.length > 0);
    expect(served.map((s) => [s.id, s.consent])).toEqual([[tiina.id, consentId]]);
    expect(subjects.filter((s) => s.id !== tiina.id).every((s) => s.fields.length === 0 && s.consent === undefined)).toBe(true);
    expect(served[0]!.fields.map((f) => f.field).sort()).toEqual(['Citizen.annualIncome', 'Citizen.familyName', 'Citizen.givenName', 'Citizen.id', 'Citizen.incomes', 'Income.amount', 'Income.year']);
  });

  it("the person's tracker shows the partner, the purpose, the consent and the fields; the consent lists its reads", async () => {
    const result = await self<{ me: { dataAccessLog: { entries: { clientId: string; purpose: string; fields: string[]; consent: { id: string } | null }[] }; consents: { id: string; clientId: string; reads: { fields: string[]; caseReference: string }[] }[] } }>(
      tiina.id,
      `{ me { dataAccessLog(first: 50) { entries { clientId purpose fields consent { id } } } consents { id clientId reads { fields caseReference } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const entry = result.data!.me.dataAccessLog.entries.find((e) => e.clientId === BANK);
    expect(entry).toMatchObject({ purpose: LOAN, consent: { id: consentId } });
    expect(entry!.fields).toContain('Citizen.annualIncome');
    const consent = result.data!.me.consents.find((c) => c.id === consentId)!;
    expect(consent.clientId).toBe(BANK);
    expect(consent.reads.length).toBeGreaterThan(0);
    expect(consent.reads[0]!.caseReference).toBe('LOAN-2026-0042');
  });

  it('the privacy officer finds the reads under a consent', async () => {
    const result = await system.query<{ auditSearch: { records: { client: string; subjects: { consent: string | null }[] }[] } }>({
      query: 'query Search($c: ID) { auditSearch(consent: $c, first: 10) { records { client subjects { consent } } } }',
      variables: { c: consentId },
      as: { sub: personaByRole('privacy-officer').id, client: 'privacy-console', acr: 'high' },
      purpose: 'privacy-oversight',
      caseRef: 'DPO-CONSENT-1',
    });
    expect(result.errors).toBeUndefined();
    const records = result.data!.auditSearch.records;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.client === BANK && r.subjects.some((s) => s.consent === consentId))).toBe(true);
  });

  it('after revocation: nothing, on the very next request (nothing cached outlives it)', async () => {
    // Warm every cache there is: the same operation twice.
    for (let i = 0; i < 2; i++) expect((await partnerReads(tiina.id)).data?.citizen?.givenName).toEqual(expect.any(String));
    const revoked = await self<{ revokeConsent: { id: string; state: string; revokedAt: string } }>(tiina.id, REVOKE, { id: consentId });
    expect(revoked.data?.revokeConsent).toMatchObject({ id: consentId, state: 'REVOKED', revokedAt: expect.any(String) });
    const next = await partnerReads(tiina.id);
    expect(next.data?.citizen ?? null).toBeNull();
    expect(reasons(next)).toEqual(['CONSENT_MISSING']);
    // Revoking again changes nothing; someone else's consent is unknown to Peeter.
    const again = await self<{ revokeConsent: { revokedAt: string } }>(tiina.id, REVOKE, { id: consentId });
    expect(again.data?.revokeConsent.revokedAt).toBe(revoked.data!.revokeConsent.revokedAt);
    expect(reasons(await self(peeter.id, REVOKE, { id: consentId }))).toEqual(['NOT_FOUND']);
  });

  it('after validUntil: nothing', async () => {
    // Written straight into the store: a consent that ended yesterday (the clock cannot be moved for the services).
    await sql(
      `INSERT INTO consent (id, subject_id, granted_by, client, purpose, fields, purpose_description, legal_basis, granted_at, valid_until)
       VALUES ($1, $2, $2, $3, $4, $5::jsonb, 'test', 'consent: test', now() - interval '40 days', $6::date)`,
      [randomUUID(), peeter.id, BANK, LOAN, JSON.stringify(consentFields(system.policy, LOAN)), addDays(today(), -1)],
    );
    const result = await partnerReads(peeter.id);
    expect(result.data?.citizen ?? null).toBeNull();
    expect(reasons(result)).toEqual(['CONSENT_MISSING']);
  });

  it("a guardian consents for a minor; a guardian's consent for an adult is never live", async () => {
    const children = await self<{ me: { children: { id: string; dateOfBirth: string }[] } }>(peeter.id, '{ me { children { id dateOfBirth } } }');
    const child = children.data!.me.children.find((c) => c.dateOfBirth > addDays(today(), -365 * 17))!;
    expect(child).toBeDefined();
    const granted = await self<{ grantConsent: Granted }>(peeter.id, GRANT, { client: BANK, purpose: LOAN, validUntil: addDays(today(), 10), subject: child.id });
    expect(granted.errors).toBeUndefined();
    expect(granted.data!.grantConsent).toMatchObject({ subjectId: child.id, grantedBy: peeter.id });
    const read = await partnerReads(child.id);
    expect(read.data?.citizen).toMatchObject({ id: child.id, givenName: expect.any(String) });
    // Peeter himself stays out of reach: his child's consent is not his.
    expect(reasons(await partnerReads(peeter.id))).toEqual(['CONSENT_MISSING']);

    // Tiina is an adult: a consent someone else gave for her (as for a minor) does not reach her.
    await sql(
      `INSERT INTO consent (id, subject_id, granted_by, client, purpose, fields, purpose_description, legal_basis, granted_at, valid_until)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'test', 'consent: test', now(), $7::date)`,
      [randomUUID(), tiina.id, peeter.id, BANK, LOAN, JSON.stringify(granted.data!.grantConsent.fields), addDays(today(), 10)],
    );
    expect(reasons(await partnerReads(tiina.id))).toEqual(['CONSENT_MISSING']);
  });
});

describe('subgraphs behind the gateway', () => {
  const context = (scope: CallerContext['scope']): CallerContext => ({ actor: BANK, client: BANK, purpose: LOAN, acr: 'substantial', caseRef: 'LOAN-1', requestId: 'direct-consent', scope });
  const ask = async (scope: CallerContext['scope']) => {
    const body = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { annualIncome } } }', variables: { r: [{ __typename: 'Citizen', id: tiina.id }] } };
    const response = await fetch(system.subgraphs.tax.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: signContext(context(scope), 'tax', system.contextSigningKey, { body: JSON.stringify(body), policyDigest: policyDigest(system.policy) }) },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { data: { _entities: ({ annualIncome: number | null } | null)[] }; errors?: { extensions: { reason: string } }[] };
  };

  it('serve a consent-based purpose only for the people the gateway says consented', async () => {
    const without = await ask({ represented: [], any: false });
    expect(without.data._entities[0]?.annualIncome ?? null).toBeNull();
    expect(without.errors?.map((e) => e.extensions.reason)).toEqual(['CONSENT_MISSING']);
    const under = await ask({ represented: [], any: false, consented: { [tiina.id]: randomUUID() } });
    expect(under.errors).toBeUndefined();
    expect(under.data._entities[0]!.annualIncome).toBeTypeOf('number');
  });
});

describe('without the consent records', () => {
  it('a partner is told to retry (503 SUBGRAPH_UNAVAILABLE) and gets nobody', async () => {
    await system.subgraphs.transparency.close();
    const result = await partnerReads(tiina.id);
    expect(result.status).toBe(503);
    expect(reasons(result)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(result.data ?? null).toBeNull();
  });
});
