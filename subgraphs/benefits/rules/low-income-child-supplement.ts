import { z } from 'zod';
import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, euros, householdIncome, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

const params = z.strictObject({
  perChild: z.number().positive(),
  maxAge: z.number().int().positive(),
  householdIncomeLimit: z.number().positive(),
  objectionDays: z.number().int().positive(),
});

/**
 * Per child under 18 when the household's taxable income last year (pensions
 * included: they are taxable income in the tax register) was at or below the
 * limit; granted by law. Reads only what the household shows, so the energy
 * tariff can count it for every member in the same run.
 */
export const lowIncomeChildSupplement: Rule<z.infer<typeof params>> = {
  programme: 'low-income-child-supplement',
  grant: 'automatic',
  law: { country: 'DE', act: 'Bundeskindergeldgesetz (Kinderzuschlag)', section: '6a', modelled: true },
  params,
  needs: [...BASE_NEEDS, ...CHILD_NEEDS, 'Citizen.annualIncome'],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    if (children.length === 0) return [];
    if (householdIncome(facts) > p.householdIncomeLimit) return [];
    return monthly('low-income-child-supplement', p.perChild * children.length, receiving(facts.enrolments, 'low-income-child-supplement'), [
      ...childrenFact(children, today, `children under ${p.maxAge}`),
      // A summary, not the figure: the finding needs only which side of the limit the household is on.
      { agency: 'tax', field: 'Citizen.annualIncome', value: `household taxable income last year at or below ${euros(p.householdIncomeLimit)}`, key: 'fact.householdIncomeAtOrBelow', params: { limit: p.householdIncomeLimit } },
    ]);
  },
};
