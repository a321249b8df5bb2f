/**
 * The offers engine over the seeded population, through the real gateway:
 * the purpose grants exactly what the rules need, the batch finds exactly what
 * an independent reference finds, and re-running it changes nothing.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { classify } from '../../permissions/decide.ts';
import { requirementsOf } from '../../gateway/enforcement/required-facts.ts';
import { readSupergraph } from '../../schema/compose.ts';
import { agencySchemaPath } from '../../subgraphs/folders.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/topology.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { PUBLIC } from '../../permissions/model.ts';
import { ruleNeeds } from '../../subgraphs/benefits/rules/index.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { chunksOf, runBatch } from '../../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../../offers/engine.ts';
import { ENGINE_NEEDS, PAGE_QUERY, PEOPLE_QUERY, SCAN_QUERY } from '../../offers/facts.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { apiSchema } from '../support/api-schema.ts';
import { fieldsOf } from '../support/fields-of.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { referenceOffers, TRIPLE_SQL, type Triple } from './reference.ts';
import { subjectsOf } from '../../platform/audit-row.ts';

const policy = loadPolicy();


/** The fields only the benefits subgraph resolves (its own register): defined there, not @external, by no other agency. */
function benefitsOwnFields(): Set<string> {
  const definedBy = (agency: SubgraphName) => {
    const fields = new Set<string>();
    for (const definition of parse(readFileSync(agencySchemaPath(agency), 'utf8')).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      for (const field of definition.fields ?? []) {
        if (!field.directives?.some((d) => d.name.value === 'external')) fields.add(`${definition.name.value}.${field.name.value}`);
      }
    }
    return fields;
  };
  const elsewhere = new Set(SUBGRAPH_NAMES.filter((n) => n !== 'benefits').flatMap((n) => [...definedBy(n)]));
  return new Set([...definedBy('benefits')].filter((f) => !elsewhere.has(f)));
}

describe('data minimisation', () => {
  const required = requirementsOf(readSupergraph(), apiSchema()).byField.get('Citizen.eligibility') ?? [];

  it("the board is handed exactly what its rules read from other agencies (Citizen.eligibility's @requires)", () => {
    const own = benefitsOwnFields();
    expect(own.has('Citizen.benefitEnrollments') && own.has('Citizen.birthGrantGranted')).toBe(true);
    expect([...required].sort()).toEqual(ruleNeeds().filter((f) => !own.has(f)).sort());
  });

  it('the proactive-eligibility purpose grants exactly those facts and the fields the engine reads', () => {
    const purpose = policy.purposes['proactive-eligibility']!;
    const personal = (fields: Iterable<string>) => [...new Set(fields)].filter((f) => classify(policy, f) !== PUBLIC).sort();
    expect(purpose.read.categories).toEqual([]);
    expect([...purpose.read.fields].sort()).toEqual(personal([...required, ...ENGINE_NEEDS]));
  });

  it('the engine asks the graph for nothing beyond those needs', () => {
    const schema = apiSchema();
    const asked = new Set([...fieldsOf(schema, PAGE_QUERY), ...fieldsOf(schema, SCAN_QUERY), ...fieldsOf(schema, PEOPLE_QUERY(2))]);
    const needs = new Set<string>([...ruleNeeds(), ...ENGINE_NEEDS, 'Query.citizens', 'Query.citizen', 'CitizenConnection.pageInfo']);
    expect([...asked].filter((f) => !needs.has(f))).toEqual([]);
  });
});

describe('recording a page in chunks the gateway accepts', () => {
  it('cuts the seals into contiguous chunks under the size limit, a long seal alone in its own', () => {
    const sealed = ['a'.repeat(50), 'b'.repeat(50), 'c'.repeat(500), 'd'.repeat(10), 'e'.repeat(10)];
    const chunks = chunksOf(sealed, 150);
    expect(chunks).toEqual([[0, 2], [2, 3], [3, 5]]);
    expect(chunksOf([], 150)).toEqual([[0, 0]]);
  });
});

describe('batch over the seeded population', () => {
  let scratch: ScratchDatabases;
  let system: TestSystem;
  let benefits: pg.Client;
  const engine = () => gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));

  beforeAll(async () => {
    scratch = await startScratchDatabases({ citizens: 2_000, seed: 42 });
    system = await startTestSystem({ databases: scratch.urls });
    benefits = new pg.Client({ connectionString: scratch.urls.benefits });
    await benefits.connect();
  }, 120_000);
  afterAll(async () => {
    await benefits?.end();
    await system?.close();
    await scratch?.stop();
  });

  it('finds exactly the (citizen, programme, amount) of an independent reference computation', async () => {
    const expected = await referenceOffers(scratch.urls, scratch.today);
    const result = await runBatch(engine(), { runId: 'test-batch-1', pageSize: 300, concurrency: 3 });
    expect(result.evaluated).toBe(2_000);
    expect(result.finished).toBe(true);
    const { rows } = await benefits.query<{ t: Triple }>(
      `SELECT ${TRIPLE_SQL} AS t FROM offer WHERE status IN ('proposed', 'granted_automatically')`,
    );
    const found = new Set(rows.map((r) => r.t));
    expect(expected.size).toBeGreaterThan(50);
    expect([...found].filter((t) => !expected.has(t)).sort()).toEqual([]); // no false positives
    expect([...expected].filter((t) => !found.has(t)).sort()).toEqual([]); // no false negatives
    // Every programme is exercised by the seeded population.
    expect(new Set([...found].map((t) => t.split('|')[1])).size).toBe(7);
    // Child allowance continues to 19 for children in education (the education register).
    const { rows: studying } = await benefits.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM offer WHERE programme_code = 'child-allowance' AND facts @> '[{"key": "fact.childrenInEducation"}]'`);
    expect(studying[0]!.n).toBeGreaterThan(0);
  }, 120_000);

  it('re-running changes nothing, and a finished run is not run twice', async () => {
    // Programmes run in dependency order: the first run's automatic supplements already counted as
    // "listed benefits" of the energy tariff (on main, a second run still granted those tariffs).
    const cascade = await runBatch(engine(), { runId: 'test-batch-2', pageSize: 500, concurrency: 2 });
    expect(cascade).toMatchObject({ evaluated: 2_000, proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 });
    const before = await benefits.query('SELECT id, status, amount, facts FROM offer ORDER BY id');
    const again = await runBatch(engine(), { runId: 'test-batch-2b', pageSize: 700, concurrency: 4 });
    expect(again).toMatchObject({ evaluated: 2_000, proposed: 0, grantedAutomatically: 0, updated: 0, expired: 0 });
    expect((await benefits.query('SELECT id, status, amount, facts FROM offer ORDER BY id')).rows).toEqual(before.rows);
    const repeat = await runBatch(engine(), { runId: 'test-batch-2b' });
    expect(repeat.alreadyFinished).toBe(true);
  }, 120_000);

  it('the engine only relays: a finding it changed, dropped or moved to someone else is not recorded', async () => {
    const { rows: [offer] } = await benefits.query<{ person_id: string }>(`SELECT person_id FROM offer WHERE status = 'proposed' AND amount > 0 ORDER BY id LIMIT 1`);
    const { rows: [other] } = await benefits.query<{ person_id: string }>(`SELECT person_id FROM enrolment WHERE person_id <> $1 ORDER BY id LIMIT 1`, [offer!.person_id]);
    const client = engine();
    const { p0 } = await client.request<{ p0: { id: string; eligibility: { sealed: string } } }>(PEOPLE_QUERY(1), { p0: offer!.person_id }, 'test-seal');
    const sealed = p0.eligibility.sealed;
    const who = offer!.person_id;
    const findings = JSON.parse(Buffer.from(sealed.split('.')[0]!, 'base64url').toString('utf8')) as { amount: number | null }[];
    expect(findings.length).toBeGreaterThan(0);
    const forge = (payload: unknown) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sealed.split('.')[1]}`;
    const token = await system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT });
    const record = (evaluated: string[], seals: string[]) =>
      system.query({ query: 'mutation R($input: EligibilityInput!) { recordEligibility(input: $input) { proposed } }', variables: { input: { runId: 'test-seal-forged', evaluated, sealed: seals } }, token, purpose: ENGINE_PURPOSE, caseRef: 'test-seal-forged' });
    const before = (await benefits.query('SELECT id, status, amount FROM offer ORDER BY id')).rows;
    for (const [evaluated, seals] of [
      [[who], [forge(findings.map((f) => ({ ...f, amount: (f.amount ?? 0) * 10 })))]],
      [[who], [forge([])]],
      [[who], [`.${sealed.split('.')[1]}`]],
      [[other!.person_id], [sealed]],
      [[who, other!.person_id], [sealed]],
      [[who], [sealed, sealed]],
    ] as [string[], string[]][]) {
      const r = await record(evaluated, seals);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(evaluated)).toBe('BAD_USER_INPUT');
      expect(r.data?.recordEligibility ?? null).toBeNull();
    }
    expect((await benefits.query('SELECT id, status, amount FROM offer ORDER BY id')).rows).toEqual(before);
    // The seal as the board made it is recorded (and changes nothing: it was recorded before).
    expect((await record([who], [sealed])).errors).toBeUndefined();
  });

  it('every fact handed to the board is recorded for the person it is about, under the purpose', async () => {
    const { rows: [parent] } = await benefits.query<{ person_id: string; child_id: string }>(`SELECT person_id, child_id FROM enrolment WHERE programme_code = 'birth-grant' AND child_id IS NOT NULL ORDER BY id LIMIT 1`);
    const requestId = `test-handed-${Date.now()}`;
    const token = await system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT });
    const r = await system.query({ query: PEOPLE_QUERY(1), variables: { p0: parent!.person_id }, token, purpose: ENGINE_PURPOSE, caseRef: 'test-handed', headers: { 'x-request-id': requestId } });
    expect(r.errors).toBeUndefined();
    const audit = new pg.Client({ connectionString: scratch.urls.audit });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ purpose: string } & Parameters<typeof subjectsOf>[0]>('SELECT purpose, subjects, field_sets FROM audit_record WHERE request_id = $1', [requestId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.purpose).toBe(ENGINE_PURPOSE);
      const fieldsOf = (id: string) => subjectsOf(rows[0]!).find((s) => s.id === id)?.fields.map((f) => `${f.agency}:${f.field}`) ?? [];
      // The person: their facts from four registers, and the board's findings.
      expect(fieldsOf(parent!.person_id)).toEqual(expect.arrayContaining(['identity:Citizen.dateOfBirth', 'tax:Citizen.annualIncome', 'tax:Citizen.insuredYears', 'family:Citizen.children', 'family:Citizen.householdMembers', 'benefits:Citizen.eligibility']));
      // Their child: what the rules read of the child, recorded for the child.
      expect(fieldsOf(parent!.child_id)).toEqual(expect.arrayContaining(['identity:Citizen.dateOfBirth', 'family:Citizen.parents', 'education:Citizen.inEducation']));
    } finally {
      await audit.end();
    }
  });

  it('an interrupted run resumes at its checkpoint', async () => {
    const partial = await runBatch(engine(), { runId: 'test-batch-3', pageSize: 200, concurrency: 2, maxPages: 4 });
    expect(partial).toMatchObject({ evaluated: 800, finished: false });
    const rest = await runBatch(engine(), { runId: 'test-batch-3', pageSize: 200, concurrency: 2 });
    expect(rest.resumedFromPage).toBe(4);
    expect(rest.evaluated).toBe(1_200);
    expect(rest.finished).toBe(true);
  }, 120_000);
});
