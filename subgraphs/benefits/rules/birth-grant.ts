import { addDays, childrenInCare, euros, isAlive } from './common.ts';
import type { Finding, Rule } from './types.ts';

interface Params { perChild: number; perChildTripletsOrMore: number; tripletsFrom: number; claimWindowDays: number }

/** One-off grant per newborn, to the parent the child lives with (the mother by default). */
export const birthGrant: Rule<Params> = {
  programme: 'birth-grant',
  grant: 'offer',
  needs: ['Citizen.id', 'Citizen.dateOfDeath', 'Citizen.children', 'Citizen.parents', 'Citizen.householdMembers', 'Citizen.dateOfBirth',
    'Citizen.benefitEnrollments', 'Enrollment.programme', 'Enrollment.since', 'Programme.code'],
  evaluate(facts, p, today) {
    if (!isAlive(facts)) return [];
    const from = addDays(today, -p.claimWindowDays);
    const byBirthday = new Map<string, string[]>();
    for (const child of childrenInCare(facts)) {
      if (child.dateOfBirth! < from || child.dateOfBirth! > today) continue;
      byBirthday.set(child.dateOfBirth!, [...(byBirthday.get(child.dateOfBirth!) ?? []), child.id]);
    }
    const findings: Finding[] = [];
    for (const [born, ids] of byBirthday) {
      const children = ids.length;
      // A grant decided on or after the birth is this birth's grant (decisions follow births).
      if (facts.enrolments.some((e) => e.programme === 'birth-grant' && e.since >= born)) continue;
      const each = children >= p.tripletsFrom ? p.perChildTripletsOrMore : p.perChild;
      findings.push({
        programme: 'birth-grant',
        occasion: `birth:${born}`,
        amount: each * children,
        facts: [
          ...ids.map((child) => ({
            agency: 'family' as const,
            field: 'Citizen.children',
            value: `${children} child${children > 1 ? 'ren' : ''} born on ${born}, living with you`,
            key: 'fact.childBorn',
            params: { child, born },
          })),
          {
            agency: 'benefits',
            field: 'Citizen.benefitEnrollments',
            value: `no birth grant for this birth yet (${euros(each)} per child)`,
            key: 'fact.noBirthGrantYet',
            params: { perChild: each, children },
          },
        ],
      });
    }
    return findings;
  },
};
