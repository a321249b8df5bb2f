/**
 * The graph shows each persona exactly what the seed generator wrote for them,
 * across all four agencies' databases (compared with the generator's own rows,
 * not with values typed into the test).
 */
import { currentYear } from '../../platform/clock.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectedRowsOf } from '../../seed/generate.ts';
import { citizenPersonas } from '../../seed/personas.ts';
import { UNIFIED_VIEW, foundationCall, foundationPolicy } from '../support/foundation-policy.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ policy: foundationPolicy() });
});
afterAll(async () => system?.close());

// `any`: the response is checked field by field against the generator's typed rows below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Loose = any;

const upper = (s: string) => s.toUpperCase();
const sortBy = <T>(items: T[], key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));
const lastYear = currentYear() - 1;

describe.each(citizenPersonas().map((p) => [p.role, p.id] as const))('unified view of %s', (_role, id) => {
  it('matches the generated rows in every agency', async () => {
    const { citizens, seed, today } = inject('seed');
    const rows = expectedRowsOf({ citizens, seed, today: new Date(`${today}T00:00:00Z`) }, id)!;
    expect(rows).toBeDefined();
    const result = await system.query<{ citizen: Record<string, Loose> }>({ ...foundationCall, query: `query($id: ID!) { citizen(id: $id) { ${UNIFIED_VIEW} } }`, variables: { id } });
    expect(result.errors).toBeUndefined();
    const c = result.data!.citizen;
    const me = rows.citizen[0]!;

    // identity
    expect(c).toMatchObject({
      id,
      givenName: me.given_name,
      familyName: me.family_name,
      dateOfBirth: me.date_of_birth,
      dateOfDeath: me.date_of_death,
      sex: me.sex,
      citizenship: me.citizenship,
      preferredLanguage: me.preferred_language,
      residence: { municipality: me.municipality, postalCode: me.postal_code, street: me.street_address },
      contact: { email: me.email, phone: me.phone },
    });
    // family
    expect(c.maritalStatus).toBe(upper(rows.civil_status[0]!.marital_status));
    expect(c.children.map((x: { id: string }) => x.id).sort()).toEqual(rows.parentage.filter((p) => p.parent_id === id).map((p) => p.child_id).sort());
    expect(c.parents.map((x: { id: string }) => x.id).sort()).toEqual(rows.parentage.filter((p) => p.child_id === id).map((p) => p.parent_id).sort());
    const partnership = rows.partnership.find((p) => p.until === null);
    expect(c.partner?.id ?? null).toBe(partnership ? (partnership.person_a === id ? partnership.person_b : partnership.person_a) : null);
    expect(c.lifeEvents).toHaveLength(rows.life_event.filter((e) => e.person_id === id).length);
    const activeWards = rows.guardianship.filter((g) => g.guardian_id === id && g.since <= today && (g.until === null || g.until > today));
    expect(c.wards.map((x: { id: string }) => x.id).sort()).toEqual(activeWards.map((g) => g.ward_id).sort());
    // tax
    const taxpayer = rows.taxpayer[0]!;
    expect(c.taxResidency).toEqual({ status: upper(taxpayer.residency), country: taxpayer.country });
    expect(c.insuredYears).toBe(taxpayer.insured_years);
    expect(sortBy(c.incomes, (i: { year: number; kind: string }) => `${i.year}${i.kind}`)).toEqual(
      sortBy(rows.income.map((i) => ({ year: i.year, kind: upper(i.kind), amount: i.amount })), (i) => `${i.year}${i.kind}`),
    );
    const expectedAnnual = rows.income.filter((i) => i.year === lastYear).reduce((sum, i) => sum + i.amount, 0);
    expect(c.annualIncome).toBeCloseTo(expectedAnnual, 2);
    expect(c.employments).toHaveLength(rows.employment.length);
    expect(c.taxAssessments.map((a: { year: number; assessedTax: number }) => [a.year, a.assessedTax]).sort()).toEqual(
      rows.assessment.map((a) => [a.year, a.assessed_tax]).sort(),
    );
    // benefits
    expect(sortBy(c.benefitEnrollments, (e: { programme: { code: string }; since: string }) => e.programme.code + e.since).map((e: Loose) => [e.programme.code, e.since, e.monthlyAmount, e.status])).toEqual(
      sortBy(rows.enrolment, (e) => e.programme_code + e.since).map((e) => [e.programme_code, e.since, e.monthly_amount, upper(e.status)]),
    );
    expect(c.benefitPayments.length).toBe(Math.min(3, rows.payment.length));
  });
});
