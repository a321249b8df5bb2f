import { z } from 'zod';
import { addDays, childrenInCare, euros, isAlive } from './common.ts';
import type { Finding, Rule } from './types.ts';

const params = z.strictObject({
  perChild: z.number().positive(),
  perChildTripletsOrMore: z.number().positive(),
  tripletsFrom: z.number().int().min(2),
  // A birth is offered for this long; after that the grant needs an application.
  claimWindowDays: z.number().int().positive(),
});

/**
 * One grant per newborn child, naming the child: whether it was granted is
 * known per child (to either parent), so a later birth never hides an earlier
 * unpaid one. It is found for the parent the child lives with, the birth
 * mother first, and shared with the child's other parents: either may choose
 * who receives it (recorded by the benefits agency), and either may accept.
 */
export const birthGrant: Rule<z.infer<typeof params>> = {
  programme: 'birth-grant',
  grant: 'offer',
  law: { country: 'EE', act: 'familyBenefitsAct', section: '12', modelled: false },
  params,
  needs: ['Citizen.id', 'Citizen.dateOfDeath', 'Citizen.children', 'Citizen.parents', 'Citizen.householdMembers', 'Citizen.dateOfBirth', 'Citizen.birthGrantGranted'],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const from = addDays(today, -p.claimWindowDays);
    const findings: Finding[] = [];
    for (const child of childrenInCare(facts)) {
      const born = child.dateOfBirth!;
      if (born < from || born > today || child.birthGrantGranted) continue;
      // The birth this child was born in: the birth mother's children born that day (a child who died counts to it).
      const birth = facts.children.filter((c) => c.dateOfBirth === born && c.parents[0] === child.parents[0]).length;
      const each = birth >= p.tripletsFrom ? p.perChildTripletsOrMore : p.perChild;
      findings.push({
        programme: 'birth-grant',
        occasion: `birth:${child.id}`,
        amount: each,
        child: child.id,
        sharedWith: child.parents.filter((parent) => parent !== facts.id),
        facts: [
          { agency: 'family', field: 'Citizen.children', value: `a child born on ${born}, living with you`, key: 'fact.childBorn', params: { child: child.id, born } },
          { agency: 'benefits', field: 'Citizen.birthGrantGranted', value: `no birth grant for this child yet (${euros(each)})`, key: 'fact.noBirthGrantYet', params: { perChild: each, count: 1 } },
        ],
      });
    }
    return findings;
  },
};
