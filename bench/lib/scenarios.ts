/** The benchmark scenarios: what each request asks, varied over the seeded population. */
import pg from 'pg';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE } from '../../offers/batch.ts';
import { PAGE_QUERY } from '../../offers/facts.ts';
import type { LoadRequest } from './load.ts';

const CITIZEN_VIEW = `id givenName familyName dateOfBirth residence { municipality postalCode } contact { email phone }
  maritalStatus children { id givenName dateOfBirth } partner { id }
  incomes { year kind amount } annualIncome insuredYears taxAssessments { year assessedTax balance }
  benefitEnrollments { programme { code name } monthlyAmount status } benefitPayments(last: 3) { paidOn amount }`;

/** The portal's unified view, as a citizen asks it of the graph (`me`). */
export const UNIFIED_VIEW_QUERY = `query UnifiedView { me { ${CITIZEN_VIEW} } }`;

export interface Scenario {
  name: string;
  /** The n-th request of a run: a different citizen or page each time, the same sequence for every configuration. */
  request(n: number): { query: string; variables: Record<string, unknown> };
  /** Whether the direct (no gateway) floor implements it. */
  direct: boolean;
  /** Requests in flight, when the scenario's real caller sets it (the offers engine's page concurrency). */
  connections?: number;
  /** The shortest run that completes enough of its (slow) requests to have a median. */
  minDurationSeconds?: number;
  /** Requests sent one at a time to count SQL statements (default 10; fewer for slow ones). */
  sqlProbeRequests?: number;
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

export function scenarios(citizens: string[]): Scenario[] {
  const nth = (n: number) => citizens[n % citizens.length]!;
  return [
    {
      name: '1 unified view of one citizen',
      direct: true,
      request: (n) => ({ query: `query Unified($id: ID!) { citizen(id: $id) { ${CITIZEN_VIEW} } }`, variables: { id: nth(n) } }),
    },
    {
      name: '2 caseworker list: 50 citizens with children and income',
      direct: false,
      request: (n) => ({
        query: 'query Caseload($after: String) { citizens(first: 50, after: $after) { edges { node { id givenName familyName dateOfBirth children { id givenName dateOfBirth } annualIncome } } pageInfo { endCursor } } }',
        variables: { after: cursorOf(nth(n)) },
      }),
    },
    {
      // Exactly what the offers engine asks, at its page size and concurrency.
      name: `3 offers batch page of ${DEFAULT_PAGE_SIZE}`,
      direct: false,
      connections: DEFAULT_CONCURRENCY,
      minDurationSeconds: 3,
      sqlProbeRequests: 2,
      request: (n) => ({ query: PAGE_QUERY, variables: { first: DEFAULT_PAGE_SIZE, after: cursorOf(nth(n)) } }),
    },
  ];
}

/** Requests for a gateway: our gateway gets a bearer token and a purpose, peers get nothing extra. */
export function requestsFor(scenario: Scenario, headers: Record<string, string>): () => LoadRequest {
  let n = 0;
  return () => ({ headers, body: JSON.stringify(scenario.request(n++)) });
}
