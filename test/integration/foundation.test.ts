import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeSupergraph, readSupergraph } from '../../schema/compose.ts';
import { AGENCY_NAMES } from '../../platform/topology.ts';
import { agencyMigrationsDir } from '../../subgraphs/folders.ts';
import { signContext, CONTEXT_HEADER } from '../../platform/context-token.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { migrate } from '../../platform/migrate.ts';
import { personaByRole } from '../../seed/personas.ts';
import { FOUNDATION_CLIENT, FOUNDATION_PURPOSE, UNIFIED_VIEW, foundationCall, foundationPolicy } from '../support/foundation-policy.ts';
import { hardeningDefaults } from '../../platform/config.ts';
import { checkDigit } from '../../platform/personal-code.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from '../support/system.ts';

type Page = { citizens: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

let system: TestSystem;
beforeAll(async () => {
  // Its page of 200 unified views is estimated at ~20,000 records: the test client gets a limit of its own, as a bulk client would.
  system = await startTestSystem({ policy: foundationPolicy(), hardening: { ...hardeningDefaults(false), clientLimits: { [FOUNDATION_CLIENT]: { maxEstimatedCost: 50_000 } } } });
});
afterAll(async () => system?.close());

describe('composition', () => {
  it('the checked-in supergraph is what the agency schemas compose to (run `npm run compose`)', () => {
    expect(readSupergraph()).toBe(composeSupergraph());
  });
});

describe('migrations', () => {
  it('apply from an empty database, and a second run applies nothing', async () => {
    const admin = new pg.Client({ connectionString: inject('superuserUrl') });
    await admin.connect();
    try {
      for (const name of AGENCY_NAMES) {
        const db = `migrate_${name}_${Date.now()}`;
        await admin.query(`CREATE DATABASE ${db}`);
        const url = inject('superuserUrl').replace(/\/postgres$/, `/${db}`);
        const first = await migrate(url, agencyMigrationsDir(name));
        expect(first.length).toBeGreaterThan(0);
        expect(await migrate(url, agencyMigrationsDir(name))).toEqual([]);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
        await client.end();
        // The migrations ledger and at least one table of the agency's own (the education register has one).
        expect(rows[0]!.n).toBeGreaterThan(1);
        await admin.query(`DROP DATABASE ${db}`);
      }
    } finally {
      await admin.end();
    }
  });
});

describe('batching', () => {
  const unifiedPage = `query Page($first: Int!) { citizens(first: $first) { edges { node { ${UNIFIED_VIEW} } } } }`;
  const unifiedOne = `query One($id: ID!) { citizen(id: $id) { ${UNIFIED_VIEW} } }`;

  async function statements(call: () => Promise<{ errors?: unknown }>) {
    for (const name of AGENCY_NAMES) system.subgraphs[name].db.resetStatementCount();
    const result = await call();
    expect(result.errors).toBeUndefined();
    return Object.fromEntries(AGENCY_NAMES.map((name) => [name, system.subgraphs[name].db.statements]));
  }

  it('the unified view of 1 and of 200 citizens sends the same number of SQL statements to each agency', async () => {
    // The one citizen has relatives, jobs, assessments, enrolments and payments: every loader runs for them too.
    const one = await statements(() => system.query({ ...foundationCall, query: unifiedOne, variables: { id: personaByRole('newborn-mother').id } }));
    const many = await statements(async () => {
      const result = await system.query<{ citizens: { edges: unknown[] } }>({ ...foundationCall, query: unifiedPage, variables: { first: 200 } });
      expect(result.data?.citizens.edges).toHaveLength(200);
      return result;
    });
    expect(many).toEqual(one);
    for (const name of AGENCY_NAMES) expect(one[name]).toBeGreaterThan(0);
  });
});

describe('pagination', () => {
  it('walks the whole population exactly once', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: GraphQLResponse<Page> = await system.query<Page>({
        ...foundationCall,
        query: 'query($after: String) { citizens(first: 450, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        variables: { after },
      });
      expect(result.errors).toBeUndefined();
      const { edges, pageInfo }: Page['citizens'] = result.data!.citizens;
      for (const { node } of edges) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
      }
      pages += 1;
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    const client = new pg.Client({ connectionString: inject('databases').identity });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM citizen');
    await client.end();
    expect(seen.size).toBe(rows[0]!.n);
    expect(pages).toBe(Math.ceil(rows[0]!.n / 450));
  });

  it('refuses a cursor it did not issue and page sizes out of range', async () => {
    const bad = await system.query({ ...foundationCall, query: '{ citizens(first: 5, after: "bm90LWEtY3Vyc29y") { edges { cursor } } }' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Out of the register's range but cheap: the identity subgraph refuses it.
    for (const n of [1001, 0, -1]) {
      const out = await system.query({ ...foundationCall, query: 'query ($n: Int!) { citizens(first: $n) { edges { cursor } } }', variables: { n } });
      expect(out.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    // So large that the gateway's estimate refuses it first, as a variable as well as a literal.
    for (const query of ['query ($n: Int!) { citizens(first: $n) { edges { cursor } } }', '{ citizens(first: 100000) { edges { cursor } } }']) {
      const huge = await system.query({ ...foundationCall, query, variables: { n: 100000 } });
      expect(huge.errors?.[0]?.extensions?.code).toMatch(/^(COST_ESTIMATED_TOO_EXPENSIVE|GRAPHQL_VALIDATION_FAILED)$/);
      expect(huge.status).toBe(400);
    }
  });
});

describe('unknown ids', () => {
  it('the population register answers null for a person it does not know; every other register answers the person with nothing on record, never an error', async () => {
    // Others are asked only about people the population register named; a null entity there would take the
    // whole person out of the facts the gateway hands an agency for @requires (a newborn without a tax record).
    const unknown = '39999999990';
    for (const name of AGENCY_NAMES) {
      const call = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id } } }', variables: { r: [{ __typename: 'Citizen', id: unknown }] } };
      const token = signContext(
        { actor: 'staff-test-0001', client: 'foundation-test-client', purpose: FOUNDATION_PURPOSE, acr: 'high', requestId: 'test-unknown-id', scope: { represented: [], any: true } },
        name,
        system.contextSigningKey,
        { body: JSON.stringify(call), policyDigest: policyDigest(system.policy) },
      );
      const response = await fetch(system.subgraphs[name].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
        body: JSON.stringify(call),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { _entities: unknown[] }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data._entities, name).toEqual([name === 'identity' ? null : { id: unknown }]);
    }
  });

  it('the graph answers null for an unknown citizen', async () => {
    // A valid code no one has: synthetic codes never use months below 20 (seed/personal-code.ts).
    const unknown = `3990101000${checkDigit('3990101000')}`;
    const result = await system.query({ ...foundationCall, query: `{ citizen(id: "${unknown}") { id givenName annualIncome } }` });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ citizen: null });
  });
});
