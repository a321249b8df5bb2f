/**
 * The offers engine over the seeded population, through the real gateway:
 * the purpose grants exactly what the rules need, the batch finds exactly what
 * an independent reference finds, and re-running it changes nothing.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../permissions/decide.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { PUBLIC } from '../../permissions/model.ts';
import { ruleNeeds } from '../../subgraphs/benefits/rules/index.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { runBatch } from '../../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../../offers/engine.ts';
import { ENGINE_NEEDS, PAGE_QUERY, PEOPLE_QUERY, SCAN_QUERY } from '../../offers/facts.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { apiSchema } from '../support/api-schema.ts';
import { fieldsOf } from '../support/fields-of.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { referenceOffers, TRIPLE_SQL, type Triple } from './reference.ts';

const policy = loadPolicy();


describe('data minimisation', () => {
  it('the proactive-eligibility purpose grants exactly the fields the rules and the engine need', () => {
    const purpose = policy.purposes['proactive-eligibility']!;
    const personal = (fields: Iterable<string>) => [...new Set(fields)].filter((f) => classify(policy, f) !== PUBLIC).sort();
    expect(purpose.read.categories).toEqual([]);
    expect([...purpose.read.fields].sort()).toEqual(personal([...ruleNeeds(), ...ENGINE_NEEDS]));
  });

  it('the engine asks the graph for nothing beyond those needs', () => {
    const schema = apiSchema();
    const asked = new Set([...fieldsOf(schema, PAGE_QUERY), ...fieldsOf(schema, SCAN_QUERY), ...fieldsOf(schema, PEOPLE_QUERY(2))]);
    const needs = new Set<string>([...ruleNeeds(), ...ENGINE_NEEDS, 'Query.citizens', 'Query.citizen', 'CitizenConnection.pageInfo']);
    expect([...asked].filter((f) => !needs.has(f))).toEqual([]);
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

  it('an interrupted run resumes at its checkpoint', async () => {
    const partial = await runBatch(engine(), { runId: 'test-batch-3', pageSize: 200, concurrency: 2, maxPages: 4 });
    expect(partial).toMatchObject({ evaluated: 800, finished: false });
    const rest = await runBatch(engine(), { runId: 'test-batch-3', pageSize: 200, concurrency: 2 });
    expect(rest.resumedFromPage).toBe(4);
    expect(rest.evaluated).toBe(1_200);
    expect(rest.finished).toBe(true);
  }, 120_000);
});
