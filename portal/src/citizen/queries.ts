/**
 * Each panel asks for its own agency's data in its own query, for the
 * signed-in citizen (`me`) or someone they represent (`citizen(id)`): an
 * agency that is down then takes only its own panel with it, which says so.
 */
import { gql, type DocumentNode } from '@apollo/client';

/** Whose data a panel shows. */
export type Subject = { self: true } | { self: false; id: string };

/** The same selection for `me` and for `citizen(id:)`, as two named operations. */
export function forSubject(name: string, selection: string): { me: DocumentNode; of: DocumentNode } {
  return {
    me: gql(`query ${name}Me { me { id ${selection} } }`),
    of: gql(`query ${name}Of($id: ID!) { citizen(id: $id) { id ${selection} } }`),
  };
}

export const queryFor = (docs: { me: DocumentNode; of: DocumentNode }, subject: Subject): { query: DocumentNode; variables: Record<string, string> } =>
  subject.self ? { query: docs.me, variables: {} } : { query: docs.of, variables: { id: subject.id } };

/** The result's person, whichever root field was asked. */
export const personOf = <T,>(data: unknown): T | null | undefined => {
  const d = data as { me?: T | null; citizen?: T | null } | undefined;
  return d ? (d.me ?? d.citizen) : undefined;
};

/** Who is signed in, and whom they represent (names and sex: facts say "your daughter Sofia"). */
export const ME = gql`
  query PortalMe {
    me {
      id
      givenName
      familyName
      sex
      preferredLanguage
      wards {
        id
        givenName
        familyName
        dateOfBirth
        sex
      }
    }
  }
`;

export interface WardSummary {
  id: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  sex: 'F' | 'M' | null;
}

export interface MeData {
  me: { id: string; givenName: string | null; familyName: string | null; sex: 'F' | 'M' | null; preferredLanguage: string | null; wards: WardSummary[] | null } | null;
}

export const PERSONAL = forSubject(
  'PortalPersonal',
  'givenName familyName dateOfBirth sex citizenship preferredLanguage residence { street municipality postalCode } contact { email phone }',
);
export interface PersonalView {
  id: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  sex: 'F' | 'M' | null;
  citizenship: string | null;
  preferredLanguage: string | null;
  residence: { street: string | null; municipality: string | null; postalCode: string | null } | null;
  contact: { email: string | null; phone: string | null } | null;
}

export const FAMILY = forSubject('PortalFamily', 'maritalStatus partner { id } parents { id } children { id } guardians { id }');
export interface FamilyView {
  id: string;
  maritalStatus: string | null;
  partner: { id: string } | null;
  parents: { id: string }[] | null;
  children: { id: string }[] | null;
  guardians: { id: string }[] | null;
}

export const TAX = forSubject(
  'PortalTax',
  'annualIncome insuredYears taxResidency { status country } employments { employer { id name } since until } taxAssessments { year taxableIncome assessedTax withheldTax balance assessedOn }',
);
export interface TaxView {
  id: string;
  annualIncome: number | null;
  insuredYears: number | null;
  taxResidency: { status: string; country: string } | null;
  employments: { employer: { id: string; name: string }; since: string; until: string | null }[] | null;
  taxAssessments: { year: number; taxableIncome: number; assessedTax: number; withheldTax: number; balance: number; assessedOn: string }[] | null;
}

export const BENEFITS = forSubject(
  'PortalBenefits',
  'benefitEnrollments { id status since until monthlyAmount amount nextPaymentOn programme { code kind } } benefitPayments(last: 6) { id paidOn amount scheduled programme { code } }',
);
export interface BenefitsView {
  id: string;
  benefitEnrollments: { id: string; status: 'ACTIVE' | 'SUSPENDED' | 'ENDED'; since: string; until: string | null; monthlyAmount: number | null; amount: number | null; nextPaymentOn: string | null; programme: { code: string; kind: 'MONTHLY' | 'ONE_OFF' } }[] | null;
  benefitPayments: { id: string; paidOn: string; amount: number; scheduled: boolean; programme: { code: string } }[] | null;
}
