/** Request generators for benchmark scenarios, over the seeded population. */
import pg from 'pg';
import type { DevIssuer } from '../../gateway/auth/dev-issuer.ts';
import type { LoadRequest } from './load.ts';

export const UNIFIED_VIEW_QUERY = `query UnifiedView {
  me {
    id givenName familyName dateOfBirth residence { municipality postalCode } contact { email phone }
    maritalStatus children { id givenName dateOfBirth } partner { id }
    incomes { year kind amount } annualIncome insuredYears taxAssessments { year assessedTax balance }
    benefitEnrollments { programme { code name } monthlyAmount status } benefitPayments(last: 3) { paidOn amount }
  }
}`;

/** Living adult citizens, for a portal-like load where every request is another person. */
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

/** Scenario (1): the unified view of one citizen, as the citizen portal asks it, a different citizen each time. */
export async function unifiedViewRequests(issuer: DevIssuer, citizens: string[]): Promise<() => LoadRequest> {
  const tokens = await Promise.all(citizens.map((sub) => issuer.issue({ sub, client: 'citizen-portal', acr: 'substantial' })));
  const body = JSON.stringify({ query: UNIFIED_VIEW_QUERY });
  let i = 0;
  return () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}`, 'x-purpose': 'self-service' }, body });
}
