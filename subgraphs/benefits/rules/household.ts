/**
 * A household member's facts as the household shows them: what a rule that
 * another rule depends on (a listed benefit of the energy tariff) sees when it
 * is evaluated for another member of the citizen's household in the same run.
 * Only household data is known here (no insured years, no children living
 * elsewhere, no per-child grants), so such a rule may read nothing else.
 */
import type { CitizenFacts, HouseholdMemberFact } from './types.ts';

export function memberFacts(facts: CitizenFacts, memberId: string): CitizenFacts | undefined {
  if (memberId === facts.id) return facts;
  const self: HouseholdMemberFact = { id: facts.id, dateOfBirth: facts.dateOfBirth, dateOfDeath: facts.dateOfDeath, annualIncome: facts.annualIncome, enrolments: facts.enrolments, parents: facts.parents };
  const everyone = [self, ...facts.household];
  const member = everyone.find((m) => m.id === memberId);
  if (!member) return undefined;
  return {
    id: member.id,
    dateOfBirth: member.dateOfBirth,
    dateOfDeath: member.dateOfDeath,
    annualIncome: member.annualIncome,
    insuredYears: null,
    enrolments: member.enrolments,
    parents: member.parents,
    children: everyone
      .filter((m) => m.parents.includes(member.id))
      .map((m) => ({ id: m.id, dateOfBirth: m.dateOfBirth, dateOfDeath: m.dateOfDeath, parents: m.parents, birthGrantGranted: null })),
    household: everyone.filter((m) => m.id !== member.id),
  };
}
