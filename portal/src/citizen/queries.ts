/**
 * The unified view: one query over the four agencies for the signed-in
 * citizen (`me`) or someone they represent (`citizen(id)`). Other people in
 * the family are asked for by id only, except the wards, whose data the
 * citizen may see: the purpose reaches only self and represented people.
 */
import { gql } from '@apollo/client';

export const CITIZEN_VIEW = gql`
  fragment CitizenView on Citizen {
    id
    givenName
    familyName
    dateOfBirth
    sex
    citizenship
    preferredLanguage
    residence {
      street
      municipality
      postalCode
    }
    contact {
      email
      phone
    }
    maritalStatus
    partner {
      id
    }
    parents {
      id
    }
    children {
      id
    }
    guardians {
      id
    }
    annualIncome
    insuredYears
    taxResidency {
      status
      country
    }
    incomes {
      year
      kind
      amount
    }
    employments {
      employer {
        id
        name
      }
      since
      until
    }
    taxAssessments {
      year
      taxableIncome
      assessedTax
      withheldTax
      balance
      assessedOn
    }
    benefitEnrollments {
      id
      status
      since
      until
      monthlyAmount
      programme {
        code
        name
        kind
      }
    }
    benefitPayments(last: 6) {
      id
      paidOn
      amount
      programme {
        code
        name
      }
    }
  }
`;

export const WARD_SUMMARY = gql`
  fragment WardSummary on Citizen {
    id
    givenName
    familyName
    dateOfBirth
  }
`;

export const ME = gql`
  query PortalMe {
    me {
      ...CitizenView
      wards {
        ...WardSummary
      }
    }
  }
  ${CITIZEN_VIEW}
  ${WARD_SUMMARY}
`;

export const REPRESENTED = gql`
  query PortalRepresented($id: ID!) {
    citizen(id: $id) {
      ...CitizenView
    }
  }
  ${CITIZEN_VIEW}
`;

export interface Ref {
  id: string;
}

export interface WardSummary extends Ref {
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
}

export interface CitizenView extends WardSummary {
  sex: 'F' | 'M' | null;
  citizenship: string | null;
  preferredLanguage: string | null;
  residence: { street: string | null; municipality: string | null; postalCode: string | null } | null;
  contact: { email: string | null; phone: string | null } | null;
  maritalStatus: string | null;
  partner: Ref | null;
  parents: Ref[] | null;
  children: Ref[] | null;
  guardians: Ref[] | null;
  annualIncome: number | null;
  insuredYears: number | null;
  taxResidency: { status: string; country: string } | null;
  incomes: { year: number; kind: string; amount: number }[] | null;
  employments: { employer: { id: string; name: string }; since: string; until: string | null }[] | null;
  taxAssessments: { year: number; taxableIncome: number; assessedTax: number; withheldTax: number; balance: number; assessedOn: string }[] | null;
  benefitEnrollments: { id: string; status: string; since: string; until: string | null; monthlyAmount: number | null; programme: { code: string; name: string; kind: string } }[] | null;
  benefitPayments: { id: string; paidOn: string; amount: number; programme: { code: string; name: string } }[] | null;
}

export interface MeData {
  me: (CitizenView & { wards: WardSummary[] | null }) | null;
}

export interface RepresentedData {
  citizen: CitizenView | null;
}
