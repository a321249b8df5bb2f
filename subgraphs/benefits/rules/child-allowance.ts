import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

interface Params { firstAndSecond: number; thirdOn: number; maxAge: number }

/** Per child under 16, oldest first: the 1st and 2nd child one rate, from the 3rd a higher one. */
export const childAllowance: Rule<Params> = {
  programme: 'child-allowance',
  grant: 'offer',
  needs: [...BASE_NEEDS, ...CHILD_NEEDS],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const children = under(childrenInCare(facts), p.maxAge, today);
    const entitled = children.reduce((sum, _, rank) => sum + (rank < 2 ? p.firstAndSecond : p.thirdOn), 0);
    return monthly('child-allowance', entitled, receiving(facts.enrolments, 'child-allowance'), childrenFact(children, today, `children under ${p.maxAge}`));
  },
};
