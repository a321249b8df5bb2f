/** The benchmark scenarios: what each request asks, varied over the seeded population. */
import pg from 'pg';
import type { LoadRequest } from './load.ts';

const CITIZEN_VIEW = `id givenName familyName dateOfBirth residence { municipality postalCode } contact { email phone }
  maritalStatus children { id givenName dateOfBirth } partner { id }
  incomes { year kind amount } annualIncome insuredYears taxAssessments { year assessedTax balance }
  benefitEnrollments { programme { code name } monthlyAmount status } benefitPayments(last: 3) { paidOn amount }`;

/** The portal's unified view, as a citizen asks it of the graph (`me`). */
export const UNIFIED_VIEW_QUERY = `query UnifiedView { me { ${CITIZEN_VIEW} } }`;

export interface Scenario {
  name: string;
  /** The request for one more call: a different citizen or page each time. */
  request(): { query: string; variables: Record<string, unknown> };
  /** Whether the direct (no gateway) floor implements it. */
  direct: boolean;
}

const cursorOf = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/** Living adults, in a fixed pseudo-random order. */
export async function sampleAdults(identityUrl: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: identityUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      "SELECT id FROM citizen WHERE date_of_death IS NULL AND date_of_birth < current_date - interval '18 years' ORDER BY md5(id) LIMIT $1",
      [n],
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

export function scenarios(citizens: string[], offersPageSize: number): Scenario[] {
  let i = 0;
  const nextCitizen = () => citizens[i++ % citizens.length]!;
  return [
    {
      name: '1 unified view of one citizen',
      direct: true,
      request: () => ({ query: `query Unified($id: ID!) { citizen(id: $id) { ${CITIZEN_VIEW} } }`, variables: { id: nextCitizen() } }),
    },
    {
      name: '2 caseworker list: 50 citizens with children and income',
      direct: false,
      request: () => ({
        query: 'query Caseload($after: String) { citizens(first: 50, after: $after) { edges { node { id givenName familyName dateOfBirth children { id givenName dateOfBirth } annualIncome } } pageInfo { endCursor } } }',
        variables: { after: cursorOf(nextCitizen()) },
      }),
    },
    {
      name: `3 offers batch page of ${offersPageSize}`,
      direct: false,
      request: () => ({
        query: `query OffersPage($first: Int!, $after: String) { citizens(first: $first, after: $after) { edges { node {
          id dateOfBirth dateOfDeath annualIncome insuredYears
          children { id dateOfBirth parents { id } } householdMembers { id annualIncome }
          benefitEnrollments { programme { code } status since until } } } pageInfo { endCursor } } }`,
        variables: { first: offersPageSize, after: cursorOf(nextCitizen()) },
      }),
    },
  ];
}

/** Requests for a gateway: our gateway gets a bearer token and a purpose, peers get nothing extra. */
export function requestsFor(scenario: Scenario, headers: Record<string, string>): () => LoadRequest {
  return () => ({ headers, body: JSON.stringify(scenario.request()) });
}
