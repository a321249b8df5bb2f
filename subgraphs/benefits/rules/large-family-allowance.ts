import { z } from 'zod';
import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

const params = z.strictObject({
  from: z.number().int().positive(),
  amount: z.number().positive(),
  largeFrom: z.number().int().positive(),
  largeAmount: z.number().positive(),
  maxAge: z.number().int().positive(),
});

/** Families raising 3–6 children get one monthly amount, 7 or more a higher one. */
export const largeFamilyAllowance: Rule<z.infer<typeof params>> = {
  programme: 'large-family-allowance',
  grant: 'offer',
  law: { country: 'EE', act: 'familyBenefitsAct', section: '21', modelled: false },
  params,
  needs: [...BASE_NEEDS, ...CHILD_NEEDS],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    const entitled = children.length >= p.largeFrom ? p.largeAmount : children.length >= p.from ? p.amount : 0;
    return monthly('large-family-allowance', entitled, receiving(facts.enrolments, 'large-family-allowance'), childrenFact(children, today, `children under ${p.maxAge}`));
  },
};
