import { z } from 'zod';
import { BASE_NEEDS, CHILD_NEEDS, childrenFact, childrenInCare, isAlive, monthly, receiving, under } from './common.ts';
import type { Rule } from './types.ts';

const params = z.strictObject({
  firstAndSecond: z.number().positive(),
  thirdOn: z.number().positive(),
  maxAge: z.number().int().positive(),
  // Until this age while the child is in basic, general secondary or vocational education.
  maxAgeInEducation: z.number().int().positive(),
});

/**
 * Per child under 16, or under 19 while in education (the education
 * register), oldest first: the 1st and 2nd child one rate, from the 3rd a higher one.
 */
export const childAllowance: Rule<z.infer<typeof params>> = {
  programme: 'child-allowance',
  grant: 'offer',
  law: { country: 'EE', act: 'familyBenefitsAct', section: '18', modelled: false },
  params,
  needs: [...BASE_NEEDS, ...CHILD_NEEDS, 'Citizen.inEducation'],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const inCare = childrenInCare(facts);
    const young = new Set(under(inCare, p.maxAge, today));
    const studying = under(inCare, p.maxAgeInEducation, today).filter((c) => !young.has(c) && c.inEducation === true);
    const children = inCare.filter((c) => young.has(c) || studying.includes(c));
    const entitled = children.reduce((sum, _, rank) => sum + (rank < 2 ? p.firstAndSecond : p.thirdOn), 0);
    const facts_ = childrenFact(children, today, `children under ${p.maxAge}`);
    if (studying.length) {
      facts_.push({ agency: 'education', field: 'Citizen.inEducation', value: `${studying.length} of them ${p.maxAge} or older and in education`, key: 'fact.childrenInEducation', params: { count: studying.length, maxAge: p.maxAgeInEducation, children: studying.map((c) => c.id) } });
    }
    return monthly('child-allowance', entitled, receiving(facts.enrolments, 'child-allowance'), facts_);
  },
};
