/**
 * How many items each list of the graph returns, for the cost estimate
 * (cost.ts). The model is Apollo's demand control (`@listSize`): a paginated
 * field is sized by its slicing argument, coerced with the request's
 * variables (`first: $n` costs what n asks for), and a connection's item list
 * (`sizedBy`) by its parent's argument; an unpaginated list by an assumed
 * size, set near the largest the registers hold (seed population: households
 * of up to 9, 7 children, 10 life events, 6 incomes), so that
 * `householdMembers` nested five deep is estimated at ~37,000 records, which
 * is about what it returns for a large family.
 *
 * Every list field of the supergraph must be named here (a test checks), so
 * that a new list is sized on purpose, never by the default.
 */

export interface ListSize {
  /** Items assumed when no slicing argument applies. */
  assumedSize?: number;
  /** The argument whose value is the number of items (`first`, `last`); its schema default applies when absent. */
  slicingArgument?: string;
  /** A connection's item list: its size is the parent field's slicing argument, already counted there. */
  sizedBy?: string;
}

export type ListSizes = Readonly<Record<string, ListSize>>;

export const LIST_SIZES: ListSizes = Object.freeze({
  // identity
  'Query.citizens': { slicingArgument: 'first' },
  'CitizenConnection.edges': { sizedBy: 'Query.citizens' },
  // family
  'Citizen.parents': { assumedSize: 2 },
  'Citizen.children': { assumedSize: 8 },
  'Citizen.householdMembers': { assumedSize: 8 },
  'Citizen.guardians': { assumedSize: 3 },
  'Citizen.wards': { assumedSize: 8 },
  'Citizen.lifeEvents': { assumedSize: 12 },
  // tax
  'Citizen.incomes': { assumedSize: 10 },
  'Citizen.employments': { assumedSize: 4 },
  'Citizen.taxAssessments': { assumedSize: 5 },
  // benefits
  'Query.programmes': { assumedSize: 10 },
  'Citizen.benefitEnrollments': { assumedSize: 5 },
  'Citizen.benefitPayments': { slicingArgument: 'last', assumedSize: 12 },
  'Citizen.proactiveOffers': { assumedSize: 10 },
  'ProactiveOffer.decidedBy': { assumedSize: 3 },
  'Query.contestQueue': { slicingArgument: 'first' },
  // education
  'Citizen.studies': { assumedSize: 4 },
  'Citizen.inbox': { assumedSize: 20 },
  'Citizen.benefitsPaidFor': { assumedSize: 5 },
  'OfferExplanation.facts': { assumedSize: 10 },
  'OfferExplanation.nextSteps': { assumedSize: 5 },
  // transparency
  'Query.auditSearch': { slicingArgument: 'first' },
  'AuditSearchPage.records': { sizedBy: 'Query.auditSearch' },
  'AuditRecord.denials': { assumedSize: 10 },
  'AuditRecord.subjects': { assumedSize: 20 },
  'AuditSubject.fields': { assumedSize: 30 },
  'Citizen.dataAccessLog': { slicingArgument: 'first' },
  'DataAccessLogPage.entries': { sizedBy: 'Citizen.dataAccessLog' },
  'DataAccess.agencies': { assumedSize: 5 },
  'DataAccess.fields': { assumedSize: 30 },
  'DataAccess.categories': { assumedSize: 10 },
  // consents (transparency)
  'Citizen.consents': { assumedSize: 10 },
  'Consent.fields': { assumedSize: 30 },
  'Consent.categories': { assumedSize: 10 },
  'Consent.reads': { slicingArgument: 'first' },
  'Query.readInquiries': { slicingArgument: 'first' },
  // A person asks about a read now and then: a few questions, not a page of them.
  'Citizen.readInquiries': { assumedSize: 3 },
});
