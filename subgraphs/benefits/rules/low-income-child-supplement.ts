import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, euros, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

interface Params { perChild: number; maxAge: number; householdIncomeLimit: number; objectionDays: number }

/** Per child under 18 when the household's taxable income last year was at or below the limit; granted by law. */
export const lowIncomeChildSupplement: Rule<Params> = {
  programme: 'low-income-child-supplement',
  grant: 'automatic',
  needs: [...BASE_NEEDS, ...CHILD_NEEDS, 'Citizen.annualIncome'],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    if (children.length === 0) return [];
    const income = (facts.annualIncome ?? 0) + facts.household.reduce((sum, m) => sum + (m.annualIncome ?? 0), 0);
    if (income > p.householdIncomeLimit) return [];
    return monthly('low-income-child-supplement', p.perChild * children.length, receiving(facts.enrolments, 'low-income-child-supplement'), [
      ...childrenFact(children, today, `children under ${p.maxAge}`),
      // A summary, not the figure: the finding needs only which side of the limit the household is on.
      { agency: 'tax', field: 'Citizen.annualIncome', value: `household taxable income last year at or below ${euros(p.householdIncomeLimit)}`, key: 'fact.householdIncomeAtOrBelow', params: { limit: p.householdIncomeLimit } },
    ]);
  },
};
