/**
 * The facts the rules need, as one GraphQL selection, and its mapping to the
 * rules' CitizenFacts. A test checks that every field this selection reads is
 * in some rule's `needs` or in ENGINE_NEEDS, and that the purpose grants
 * exactly those.
 */
import type { CitizenFacts, EnrolmentFact } from '../subgraphs/benefits/rules/types.ts';

/** Fields the engine itself reads, beyond the rules': paging and resuming. */
export const ENGINE_NEEDS = ['Citizen.id', 'PageInfo.endCursor', 'PageInfo.hasNextPage', 'CitizenConnection.edges', 'CitizenEdge.node', 'EvaluationRun.resumeAfter', 'EvaluationRun.checkpointPage', 'EvaluationRun.finished'] as const;

export const FACTS_FRAGMENTS = `
fragment Enrolments on Citizen { benefitEnrollments { programme { code } status monthlyAmount } }
fragment Facts on Citizen {
  id dateOfBirth dateOfDeath annualIncome insuredYears
  ...Enrolments
  parents { id }
  children { id dateOfBirth dateOfDeath parents { id } birthGrantGranted inEducation }
  householdMembers { id dateOfBirth dateOfDeath annualIncome parents { id } ...Enrolments }
}`;

export const PAGE_QUERY = `query OffersPage($first: Int!, $after: String) {
  citizens(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ...Facts } } }
}
${FACTS_FRAGMENTS}`;

export const SCAN_QUERY = `query OffersScan($first: Int!, $after: String) {
  citizens(first: $first, after: $after) { pageInfo { hasNextPage endCursor } }
}`;

export const PEOPLE_QUERY = (count: number) => `query OffersPeople(${Array.from({ length: count }, (_, i) => `$p${i}: ID!`).join(', ')}) {
  ${Array.from({ length: count }, (_, i) => `p${i}: citizen(id: $p${i}) { ...Facts }`).join('\n  ')}
}
${FACTS_FRAGMENTS}`;

interface RawEnrolment { programme: { code: string }; status: EnrolmentFact['status']; monthlyAmount: number | null }
export interface RawCitizen {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  annualIncome: number | null;
  insuredYears: number | null;
  benefitEnrollments: RawEnrolment[] | null;
  parents: { id: string }[] | null;
  children: { id: string; dateOfBirth: string | null; dateOfDeath: string | null; parents: { id: string }[] | null; birthGrantGranted: boolean | null; inEducation: boolean | null }[] | null;
  householdMembers: { id: string; dateOfBirth: string | null; dateOfDeath: string | null; annualIncome: number | null; parents: { id: string }[] | null; benefitEnrollments: RawEnrolment[] | null }[] | null;
}

const enrolments = (raw: RawEnrolment[] | null): EnrolmentFact[] =>
  (raw ?? []).map((e) => ({ programme: e.programme.code, status: e.status, monthlyAmount: e.monthlyAmount }));

export function toFacts(raw: RawCitizen): CitizenFacts {
  return {
    id: raw.id,
    dateOfBirth: raw.dateOfBirth,
    dateOfDeath: raw.dateOfDeath,
    annualIncome: raw.annualIncome,
    insuredYears: raw.insuredYears,
    enrolments: enrolments(raw.benefitEnrollments),
    parents: (raw.parents ?? []).map((p) => p.id),
    children: (raw.children ?? []).map((c) => ({
      // A child the benefits register has no record of has had no grant.
      id: c.id, dateOfBirth: c.dateOfBirth, dateOfDeath: c.dateOfDeath, parents: (c.parents ?? []).map((p) => p.id), birthGrantGranted: c.birthGrantGranted === true,
      // Unknown to the education register: not in education.
      inEducation: c.inEducation === true,
    })),
    household: (raw.householdMembers ?? []).map((m) => ({
      id: m.id, dateOfBirth: m.dateOfBirth, dateOfDeath: m.dateOfDeath, annualIncome: m.annualIncome, enrolments: enrolments(m.benefitEnrollments), parents: (m.parents ?? []).map((p) => p.id),
    })),
  };
}
