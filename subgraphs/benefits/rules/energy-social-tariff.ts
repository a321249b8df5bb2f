import { ageOn, euros, isAlive, receiving } from './common.ts';
import type { Fact, Rule } from './types.ts';

interface Params { incomeLimit: number; perFurtherMemberWithoutIncome: number; listedBenefits: string[]; objectionDays: number }

/**
 * One tariff per household, granted by law to households receiving a listed
 * benefit or under the income limit (raised for each further member without
 * income). It is recorded for one adult of the household: the one with the
 * lowest personal code, so every member's evaluation names the same person.
 */
export const energySocialTariff: Rule<Params> = {
  programme: 'energy-social-tariff',
  grant: 'automatic',
  needs: ['Citizen.id', 'Citizen.dateOfBirth', 'Citizen.dateOfDeath', 'Citizen.householdMembers', 'Citizen.annualIncome',
    'Citizen.benefitEnrollments', 'Enrollment.programme', 'Enrollment.status', 'Programme.code'],
  evaluate(facts, p, today) {
    if (!isAlive(facts) || !facts.dateOfBirth) return [];
    const members = [facts, ...facts.household.filter(isAlive)];
    const adults = members.filter((m) => m.dateOfBirth !== null && ageOn(m.dateOfBirth, today) >= 18).map((m) => m.id).sort();
    if (adults[0] !== facts.id) return [];
    const memberEnrolments = [facts.enrolments, ...facts.household.filter(isAlive).map((m) => m.enrolments)];
    if (memberEnrolments.some((e) => receiving(e, 'energy-social-tariff') !== null)) return [];
    const listed = p.listedBenefits.find((code) => memberEnrolments.some((e) => receiving(e, code) !== null));
    const income = members.reduce((sum, m) => sum + (m.annualIncome ?? 0), 0);
    const withoutIncome = members.filter((m) => m.id !== facts.id && !(m.annualIncome ?? 0)).length;
    const limit = p.incomeLimit * (1 + p.perFurtherMemberWithoutIncome * withoutIncome);
    if (!listed && income > limit) return [];
    const facts_: Fact[] = listed
      ? [{ agency: 'benefits', field: 'Citizen.benefitEnrollments', value: `the household receives ${listed}`, key: 'fact.householdReceives', params: { programme: listed } }]
      : [
          { agency: 'tax', field: 'Citizen.annualIncome', value: `household income last year at or below ${euros(Math.round(limit * 100) / 100)}`, key: 'fact.householdIncomeAtOrBelow', params: { limit: Math.round(limit * 100) / 100 } },
          { agency: 'family', field: 'Citizen.householdMembers', value: `${members.length} in the household, ${withoutIncome} further without income`, key: 'fact.householdMembers', params: { count: members.length, withoutIncome } },
        ];
    return [{ programme: 'energy-social-tariff', occasion: 'household', amount: null, facts: facts_ }];
  },
};
