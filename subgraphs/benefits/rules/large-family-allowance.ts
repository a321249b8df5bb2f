import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

interface Params { from: number; amount: number; largeFrom: number; largeAmount: number; maxAge: number }

/** Families raising 3–6 children get one monthly amount, 7 or more a higher one. */
export const largeFamilyAllowance: Rule<Params> = {
  programme: 'large-family-allowance',
  grant: 'offer',
  needs: [...BASE_NEEDS, ...CHILD_NEEDS],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    const entitled = children.length >= p.largeFrom ? p.largeAmount : children.length >= p.from ? p.amount : 0;
    return monthly('large-family-allowance', entitled, receiving(facts.enrolments, 'large-family-allowance'), childrenFact(children, today, `children under ${p.maxAge}`));
  },
};
