import { z } from 'zod';
import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

const params = z.strictObject({
  perChild: z.number().positive(),
  maxAge: z.number().int().positive(),
});

/** Per child whose birth record names no second parent. */
export const singleParentAllowance: Rule<z.infer<typeof params>> = {
  programme: 'single-parent-allowance',
  grant: 'offer',
  law: { country: 'EE', act: 'familyBenefitsAct', section: '22', modelled: false },
  params,
  needs: [...BASE_NEEDS, ...CHILD_NEEDS],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today).filter((c) => c.parents.length === 1);
    return monthly('single-parent-allowance', p.perChild * children.length, receiving(facts.enrolments, 'single-parent-allowance'), [
      ...childrenFact(children, today, `children under ${p.maxAge}`),
      { agency: 'family', field: 'Citizen.parents', value: 'the birth record of each names no second parent', key: 'fact.onlyParentOnRecord', params: { children: children.map((c) => c.id) } },
    ]);
  },
};
