import { z } from 'zod';
import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

const params = z.strictObject({
  firstAndSecond: z.number().positive(),
  thirdOn: z.number().positive(),
  maxAge: z.number().int().positive(),
});

/** Per child under 16, oldest first: the 1st and 2nd child one rate, from the 3rd a higher one. */
export const childAllowance: Rule<z.infer<typeof params>> = {
  programme: 'child-allowance',
  grant: 'offer',
  law: { country: 'EE', act: 'familyBenefitsAct', section: '18', modelled: false },
  params,
  needs: [...BASE_NEEDS, ...CHILD_NEEDS],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    const entitled = children.reduce((sum, _, rank) => sum + (rank < 2 ? p.firstAndSecond : p.thirdOn), 0);
    return monthly('child-allowance', entitled, receiving(facts.enrolments, 'child-allowance'), childrenFact(children, today, `children under ${p.maxAge}`));
  },
};
