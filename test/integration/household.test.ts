/**
 * Household (issue 17, item 7): both parents see the child benefits paid for
 * their shared children, whichever of them receives them, through the child's
 * record (`benefitsPaidFor`, category benefits.household, granted in
 * self-service to the child's representatives). The father of seven, whose
 * family's benefits are paid to his wife, sees them; other purposes and other
 * people do not.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { personaByRole } from '../../seed/personas.ts';
import { paidForChild } from '../../subgraphs/benefits/household.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { subjectsOf } from '../../platform/audit-row.ts';

const father = personaByRole('large-family').id;
const single = personaByRole('single-parent').id;
const caseworker = personaByRole('caseworker').id;

interface Ward { id: string; dateOfBirth: string; benefitsPaidFor: { programme: { code: string }; paidTo: string; monthlyAmount: number | null; status: string }[] | null }
const HOUSEHOLD = '{ me { id partner { id } benefitEnrollments { programme { code } } wards { id dateOfBirth benefitsPaidFor { programme { code } paidTo monthlyAmount status since } } } }';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

describe('benefits paid for a child, to either parent', () => {
  it('the rule: a parent\'s child benefit counts for children born before it ends; a birth grant for the child it was granted for', () => {
    expect(paidForChild({ programme_code: 'child-allowance', since: '2015-02-01', until: null }, '2024-05-03')).toBe(true);
    expect(paidForChild({ programme_code: 'child-allowance', since: '2000-02-01', until: '2016-01-31' }, '2020-05-03')).toBe(false);
    expect(paidForChild({ programme_code: 'birth-grant', since: '2024-05-17', until: '2024-05-17' }, '2024-05-03')).toBe(true);
    expect(paidForChild({ programme_code: 'birth-grant', since: '2021-05-17', until: '2021-05-17' }, '2024-05-03')).toBe(false);
    expect(paidForChild({ programme_code: 'old-age-pension', since: '2020-01-01', until: null }, '2024-05-03')).toBe(false);
  });

  it('the father of seven sees the child allowance his wife receives for their children', async () => {
    const r = await system.query<{ me: { id: string; partner: { id: string } | null; benefitEnrollments: { programme: { code: string } }[]; wards: Ward[] } }>({
      query: HOUSEHOLD,
      as: { sub: father, client: 'citizen-portal' },
      purpose: 'self-service',
    });
    expect(r.errors).toBeUndefined();
    const me = r.data!.me;
    // Nothing is paid to him…
    expect(me.benefitEnrollments.filter((e) => e.programme.code === 'child-allowance')).toHaveLength(0);
    expect(me.partner).not.toBeNull();
    expect(me.wards.length).toBeGreaterThanOrEqual(5);
    // …but every child's record shows the family's child allowance, paid to his wife.
    for (const ward of me.wards) {
      const allowance = ward.benefitsPaidFor!.filter((b) => b.programme.code === 'child-allowance');
      expect(allowance.length, `child ${ward.id}`).toBeGreaterThan(0);
      expect(allowance.every((b) => b.paidTo === me.partner!.id && b.monthlyAmount! > 0)).toBe(true);
    }
  });

  it('the parent who receives them sees the same on the child\'s record', async () => {
    const r = await system.query<{ me: { wards: Ward[] } }>({ query: '{ me { wards { id dateOfBirth benefitsPaidFor { programme { code } paidTo monthlyAmount status } } } }', as: { sub: single, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(r.errors).toBeUndefined();
    const paid = r.data!.me.wards.flatMap((w) => w.benefitsPaidFor ?? []);
    expect(paid.some((b) => b.programme.code === 'child-allowance' && b.paidTo === single)).toBe(true);
  });

  it("the facts the gateway hands the board for a child's record are recorded for the child, though the client never asked for them", async () => {
    const requestId = `household-${Date.now()}`;
    const r = await system.query<{ me: { wards: { id: string; benefitsPaidFor: unknown[] | null }[] } }>({
      query: '{ me { wards { id benefitsPaidFor { paidTo } } } }',
      as: { sub: father, client: 'citizen-portal' },
      purpose: 'self-service',
      headers: { 'x-request-id': requestId },
    });
    expect(r.errors).toBeUndefined();
    const audit = new pg.Client({ connectionString: inject('databases').audit });
    await audit.connect();
    try {
      const { rows } = await audit.query<Parameters<typeof subjectsOf>[0]>('SELECT subjects, field_sets FROM audit_record WHERE request_id = $1', [requestId]);
      for (const ward of r.data!.me.wards) {
        const fields = subjectsOf(rows[0]!).find((s) => s.id === ward.id)?.fields.map((f) => `${f.agency}:${f.field}`);
        // benefitsPaidFor @requires the child's birth date and parents: they left the population and family registers.
        expect(fields, ward.id).toEqual(expect.arrayContaining(['benefits:Citizen.benefitsPaidFor', 'identity:Citizen.dateOfBirth', 'family:Citizen.parents']));
      }
    } finally {
      await audit.end();
    }
  });

  it('a child of someone else is out of reach, and the caseworker\'s purpose is not granted it', async () => {
    const { data } = await system.query<{ me: { wards: { id: string }[] } }>({ query: '{ me { wards { id } } }', as: { sub: father, client: 'citizen-portal' }, purpose: 'self-service' });
    const child = data!.me.wards[0]!.id;
    const stranger = await system.query({ query: 'query($id: ID!) { citizen(id: $id) { benefitsPaidFor { paidTo } } }', variables: { id: child }, as: { sub: single, client: 'citizen-portal' }, purpose: 'self-service' });
    expect(stranger.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(JSON.stringify(stranger.data ?? null)).not.toMatch(/paidTo":"\d/);
    const officer = await system.query({
      query: 'query($id: ID!) { citizen(id: $id) { benefitsPaidFor { paidTo } } }',
      variables: { id: child },
      as: { sub: caseworker, client: 'caseworker-app' },
      purpose: 'child-benefit-eligibility',
      caseRef: 'SKA-HOUSEHOLD-1',
    });
    expect(officer.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'Citizen.benefitsPaidFor' });
  });
});
