import { z } from 'zod';
import { ageOn, euros, isAlive, receiving } from './common.ts';
import type { Fact, Rule } from './types.ts';

const params = z.strictObject({
  incomeLimit: z.number().positive(),
  perMemberWithoutIncome: z.number().nonnegative(),
  // "… up to a maximum of 10" members without income.
  maxMembersWithoutIncome: z.number().int().positive(),
  listedBenefits: z.array(z.string().min(1)),
  objectionDays: z.number().int().positive(),
});

/**
 * One tariff per household, granted by law to households receiving a listed
 * benefit (granted before or in this very run) or whose income last year was
 * at most the limit, raised by half of it for each member of the household
 * without income, the applicant included (up to a maximum). Every member
 * counts the same way, so the test does not depend on who is evaluated. It is
 * recorded for one adult of the household: the one with the lowest personal
 * code, so every member's evaluation names the same person.
 */
export const energySocialTariff: Rule<z.infer<typeof params>> = {
  programme: 'energy-social-tariff',
  grant: 'automatic',
  law: { country: 'PT', act: 'Decreto-Lei 138-A/2010', section: '2', modelled: true },
  params,
  needs: ['Citizen.id', 'Citizen.dateOfBirth', 'Citizen.dateOfDeath', 'Citizen.householdMembers', 'Citizen.annualIncome',
    'Citizen.benefitEnrollments', 'Enrollment.programme', 'Enrollment.status', 'Programme.code'],
  after: (p) => p.listedBenefits,
  evaluate(facts, p, today, run) {
    if (!isAlive(facts) || !facts.dateOfBirth) return [];
    const members = [facts, ...facts.household.filter(isAlive)];
    const adults = members.filter((m) => m.dateOfBirth !== null && ageOn(m.dateOfBirth, today) >= 18).map((m) => m.id).sort();
    if (adults[0] !== facts.id) return [];
    if (members.some((m) => receiving(m.enrolments, 'energy-social-tariff') !== null)) return [];
    const listed = p.listedBenefits.find((code) => members.some((m) => receiving(m.enrolments, code) !== null || run.grantedTo(m.id).has(code)));
    const income = members.reduce((sum, m) => sum + (m.annualIncome ?? 0), 0);
    const withoutIncome = members.filter((m) => !(m.annualIncome ?? 0)).length;
    const limit = Math.round(p.incomeLimit * (1 + p.perMemberWithoutIncome * Math.min(withoutIncome, p.maxMembersWithoutIncome)) * 100) / 100;
    if (!listed && income > limit) return [];
    const found: Fact[] = listed
      ? [{ agency: 'benefits', field: 'Citizen.benefitEnrollments', value: `the household receives ${listed}`, key: 'fact.householdReceives', params: { programme: listed } }]
      : [
          { agency: 'tax', field: 'Citizen.annualIncome', value: `household income last year at or below ${euros(limit)}`, key: 'fact.householdIncomeAtOrBelow', params: { limit } },
          { agency: 'family', field: 'Citizen.householdMembers', value: `${members.length} in the household, ${withoutIncome} without income`, key: 'fact.householdMembers', params: { count: members.length, withoutIncome } },
        ];
    return [{ programme: 'energy-social-tariff', occasion: 'household', amount: null, facts: found }];
  },
};
