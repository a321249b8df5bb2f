/**
 * The foundation tests are about data and batching, not permissions: they run
 * under the real policy plus one purpose that reads every category of anyone.
 */
import { extendPolicy, readEverythingPurpose } from '../../permissions/extend.ts';
import { loadPolicy } from '../../permissions/load.ts';
import type { Policy } from '../../permissions/model.ts';

export const FOUNDATION_PURPOSE = 'foundation-test';
export const FOUNDATION_CLIENT = 'foundation-test-client';
export const STAFF = 'staff-test-0001';
export const FOUNDATION_ENTITLEMENT = 'test:foundation';

export function foundationPolicy(): Policy {
  const base = loadPolicy();
  return extendPolicy(base, {
    purposes: { [FOUNDATION_PURPOSE]: { ...readEverythingPurpose(base, 'tests of the foundation'), mutations: ['registerBirth'], entitlement: FOUNDATION_ENTITLEMENT } },
    clients: { [FOUNDATION_CLIENT]: { name: 'Foundation tests', description: 'tests', actors: 'staff', purposes: [FOUNDATION_PURPOSE] } },
  });
}

export const foundationCall = { as: { sub: STAFF, client: FOUNDATION_CLIENT, acr: 'high' as const, entitlements: [FOUNDATION_ENTITLEMENT] }, purpose: FOUNDATION_PURPOSE, caseRef: 'TEST-1' };

/** Every field of the unified view, from all four agencies. */
export const UNIFIED_VIEW = `
  id givenName familyName dateOfBirth dateOfDeath sex citizenship preferredLanguage
  residence { municipality postalCode street } contact { email phone }
  maritalStatus parents { id givenName } children { id givenName dateOfBirth } partner { id givenName }
  householdMembers { id } guardians { id } wards { id } lifeEvents { kind date relatedCitizen { id } }
  taxResidency { status country } incomes { year kind amount } annualIncome insuredYears
  employments { employer { id name } since until } taxAssessments { year taxableIncome assessedTax withheldTax balance assessedOn }
  benefitEnrollments { id programme { code name } since until monthlyAmount status }
  benefitPayments(last: 3) { id programme { code } paidOn amount }
`;
