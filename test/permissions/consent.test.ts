/** Consent as pure decisions: what a person is asked for, when a consent is live, what `policy check` demands of consent-based purposes. */
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../permissions/check.ts';
import { addYears, checkGrant, consentFields, consentState, MAX_CONSENT_DAYS, type ConsentRecord } from '../../permissions/consent.ts';
import { decide } from '../../permissions/decide.ts';
import { loadPolicy } from '../../permissions/load.ts';
import type { Policy } from '../../permissions/model.ts';
import { decideRootSubject, relationOf } from '../../permissions/subjects.ts';
import { readSupergraphSdl } from '../../permissions/schema-fields.ts';
import { operationSubjects } from '../../gateway/enforcement/consented.ts';
import { checkDigit } from '../../platform/personal-code.ts';

const policy = loadPolicy();
const shipped = (): Policy => structuredClone(loadPolicy());
const PERSON = '49431123454';
const CHILD = `6150505000${checkDigit('6150505000')}`;
const LOAN = 'loan-affordability';

const consent = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  subject: PERSON,
  grantedBy: PERSON,
  client: 'partner-bank',
  purpose: LOAN,
  fields: consentFields(policy, LOAN),
  grantedAt: '2026-01-10T10:00:00.000Z',
  validUntil: '2026-03-31',
  revokedAt: null,
  ...overrides,
});
const use = { client: 'partner-bank', purpose: LOAN, today: '2026-02-01' };

describe('consentFields', () => {
  it('lists exactly the personal fields the purpose reads: name, annual income and income by year', () => {
    expect(consentFields(policy, LOAN)).toEqual(['Citizen.annualIncome', 'Citizen.familyName', 'Citizen.givenName', 'Citizen.id', 'Citizen.incomes', 'Income.amount', 'Income.year']);
  });
  it('leaves out what the purpose denies, and knows no unknown purpose', () => {
    const fields = consentFields(policy, 'child-benefit-eligibility');
    expect(fields).toContain('Citizen.annualIncome');
    expect(fields).not.toContain('TaxAssessment.balance');
    expect(consentFields(policy, 'constructor')).toEqual([]);
  });
});

describe('consentState', () => {
  it('is live for its client and purpose from grant to validUntil inclusive', () => {
    expect(consentState(policy, consent(), use)).toBe('live');
    expect(consentState(policy, consent(), { ...use, today: '2026-03-31' })).toBe('live');
  });
  it('is over the day after validUntil', () => {
    expect(consentState(policy, consent(), { ...use, today: '2026-04-01' })).toBe('expired');
  });
  it('is over once revoked', () => {
    expect(consentState(policy, consent({ revokedAt: '2026-01-20T08:00:00.000Z' }), use)).toBe('revoked');
  });
  it('covers no other client or purpose', () => {
    expect(consentState(policy, consent(), { ...use, client: 'caseworker-app' })).toBe('not-for-this-use');
    expect(consentState(policy, consent(), { ...use, purpose: 'tax-assessment' })).toBe('not-for-this-use');
  });
  it('no longer covers the purpose when the policy asks for more than was agreed', () => {
    expect(consentState(policy, consent({ fields: ['Citizen.givenName'] }), use)).toBe('policy-asks-more');
    // Asking for less keeps it: the judge serves only what the policy grants now.
    expect(consentState(policy, consent({ fields: [...consentFields(policy, LOAN), 'Citizen.residence'] }), use)).toBe('live');
  });
  it("a guardian's consent holds while the person is a minor and ends on the 18th birthday", () => {
    const byGuardian = consent({ subject: CHILD, grantedBy: PERSON });
    const birth = '2008-03-01';
    expect(consentState(policy, byGuardian, { ...use, today: '2026-02-28', subjectBirthDate: birth })).toBe('live');
    expect(consentState(policy, byGuardian, { ...use, today: '2026-03-01', subjectBirthDate: birth })).toBe('came-of-age');
    expect(consentState(policy, byGuardian, { ...use, subjectBirthDate: null })).toBe('age-unknown');
    expect(addYears('2008-02-29', 18)).toBe('2026-03-01');
  });
});

describe('checkGrant', () => {
  const request = { client: 'partner-bank', purpose: LOAN, validUntil: '2026-06-30', today: '2026-02-01', actor: PERSON, subject: PERSON, represented: [CHILD] };
  it('records the fields as the policy states them now', () => {
    expect(checkGrant(policy, request)).toEqual({ ok: true, fields: consentFields(policy, LOAN) });
  });
  it('refuses an unknown partner, a purpose not based on consent or not the partner’s', () => {
    expect(checkGrant(policy, { ...request, client: 'nope' })).toMatchObject({ ok: false, reason: 'UNKNOWN_CLIENT' });
    expect(checkGrant(policy, { ...request, client: 'citizen-portal', purpose: 'self-service' })).toMatchObject({ ok: false, reason: 'NOT_CONSENT_BASED' });
    expect(checkGrant(policy, { ...request, client: 'caseworker-app' })).toMatchObject({ ok: false, reason: 'NOT_CONSENT_BASED' });
  });
  it('refuses a validUntil in the past, beyond the longest term, or not a date', () => {
    for (const validUntil of ['2026-01-31', '2027-02-05', '2026-02-30', 'tomorrow', '2026-6-30']) {
      expect(checkGrant(policy, { ...request, validUntil }), validUntil).toMatchObject({ ok: false, reason: 'INVALID_VALID_UNTIL' });
    }
    expect(MAX_CONSENT_DAYS).toBeLessThanOrEqual(366);
    expect(checkGrant(policy, { ...request, validUntil: '2026-02-01' }).ok).toBe(true);
  });
  it('lets a guardian consent for a minor they represent, nobody else', () => {
    expect(checkGrant(policy, { ...request, subject: CHILD, subjectBirthDate: '2015-05-05' }).ok).toBe(true);
    expect(checkGrant(policy, { ...request, subject: '38444098763' })).toMatchObject({ ok: false, reason: 'NOT_REPRESENTED' });
    expect(checkGrant(policy, { ...request, subject: CHILD, subjectBirthDate: '2000-05-05' })).toMatchObject({ ok: false, reason: 'NOT_A_MINOR' });
  });
});

describe('the judge under a consent-based purpose', () => {
  const scope = { represented: [], any: false, consented: { [PERSON]: 'c-1' } };
  it('reaches a person with a live consent, and refuses anyone else with CONSENT_MISSING', () => {
    expect(relationOf(scope, PERSON)).toBe('consented');
    expect(relationOf(scope, CHILD)).toBe('other');
    expect(decide(policy, { purpose: LOAN, field: 'Citizen.annualIncome', relation: 'consented', acr: 'substantial' })).toEqual({ allow: true });
    expect(decide(policy, { purpose: LOAN, field: 'Citizen.annualIncome', relation: 'other', acr: 'substantial' })).toEqual({ allow: false, reason: 'CONSENT_MISSING' });
    expect(decideRootSubject(policy, LOAN, scope, 'Query.citizen', { id: PERSON })).toEqual({ allow: true });
    expect(decideRootSubject(policy, LOAN, scope, 'Query.citizen', { id: CHILD })).toEqual({ allow: false, reason: 'CONSENT_MISSING' });
    expect(decideRootSubject(policy, LOAN, scope, 'Query.citizens', {})).toEqual({ allow: false, reason: 'CONSENT_MISSING' });
  });
  it('never grants more than the purpose reads, consent or not', () => {
    for (const field of ['Citizen.residence', 'Citizen.taxAssessments', 'Income.kind', 'Citizen.children']) {
      expect(decide(policy, { purpose: LOAN, field, relation: 'consented', acr: 'high' }).allow, field).toBe(false);
    }
  });
  it('a relation of consent means nothing to a purpose without the consented scope', () => {
    expect(decide(policy, { purpose: 'self-service', field: 'Citizen.givenName', relation: 'consented', acr: 'high' })).toEqual({ allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' });
  });
});

describe('policy check of consent', () => {
  const sdl = readSupergraphSdl();
  const consentProblems = (p: Policy) => checkPolicy(p, sdl).filter((x) => x.code === 'CONSENT_SCOPE');
  it('passes the shipped policy', () => {
    expect(consentProblems(shipped())).toEqual([]);
  });
  it('requires a consent-based purpose to reach consented subjects and only them', () => {
    const p = shipped();
    p.purposes[LOAN]!.subjects = ['consented', 'any'];
    p.purposes['self-service']!.legalBasis.kind = 'consent';
    expect(consentProblems(p).map((x) => [x.severity, x.message])).toEqual([
      ['error', expect.stringContaining('purpose self-service is based on consent, so it must reach only the people who consented')],
      ['error', expect.stringContaining(`purpose ${LOAN} is based on consent`)],
    ]);
  });
  it('requires the consented scope to rest on consent', () => {
    const p = shipped();
    p.purposes[LOAN]!.legalBasis.kind = 'contract';
    expect(consentProblems(p).map((x) => x.message)).toEqual([expect.stringContaining(`purpose ${LOAN} reaches consented subjects, so its legal basis must be of kind consent`)]);
  });
});

describe('operationSubjects', () => {
  const roots = (field: string, args: Record<string, unknown>) => (field === 'citizen' ? args.id : undefined);
  it('finds the people named at the root, by literal, variable, alias and fragment', () => {
    const query = `query Q($id: ID!) { a: citizen(id: "${PERSON}") { givenName } ...F me { id } }
      fragment F on Query { b: citizen(id: $id) { familyName } }`;
    expect(operationSubjects(query, 'Q', { id: CHILD }, roots)).toEqual([PERSON, CHILD]);
  });
  it('names nobody for a document that does not parse, a missing operation or non-codes', () => {
    expect(operationSubjects('{ citizen(id: ', undefined, {}, roots)).toEqual([]);
    expect(operationSubjects('query A { me { id } } query B { me { id } }', undefined, {}, roots)).toEqual([]);
    expect(operationSubjects('{ citizen(id: "x") { id } }', undefined, {}, roots)).toEqual([]);
    expect(operationSubjects(42, undefined, {}, roots)).toEqual([]);
  });
});
