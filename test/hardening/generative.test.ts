/**
 * Generative hostile input: thousands of random operations, variables and
 * odd strings (test/support/operation-generator.ts), drawn from the schema,
 * sent by every kind of caller. Whatever arrives, the gateway answers with
 * JSON and a status below 500, no process dies, no error is an internal one,
 * and no field comes back that the caller's purpose does not allow for that
 * person (judged again here, independently of the gateway's own walk).
 *
 * Bounded and seeded: GENERATIVE_SEED replays a run (the seed is printed;
 * with GENERATIVE_PATH, fast-check's path, just the failing batch),
 * GENERATIVE_RUNS changes how many batches of requests are sent (2,000
 * requests by default, fewer when GENERATIVE_TIME_LIMIT_MS runs out first). Its own
 * small database, since random mutations (births, preferences, offers) must
 * not touch the population other test files compare with the seed.
 */
import fc from 'fast-check';
import { Kind, getNamedType, isAbstractType, isObjectType, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLCompositeType, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { collectFields } from 'graphql/execution/collectFields.js';
import { getVariableValues } from 'graphql/execution/values.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../permissions/decide.ts';
import type { Acr } from '../../permissions/model.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { apiSchema } from '../support/api-schema.ts';
import { OperationGenerator, type GeneratedRequest } from '../support/operation-generator.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const SEED = Number(process.env.GENERATIVE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.GENERATIVE_RUNS ?? 250);
const BATCH = 8;
/** On a loaded machine the run stops after this long (the batches run so far still count); idle, 250 batches fit well inside. */
const TIME_LIMIT_MS = Number(process.env.GENERATIVE_TIME_LIMIT_MS ?? 40_000);

const schema = apiSchema();
const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const largeFamily = personaByRole('large-family');

interface Caller {
  name: string;
  sub: string;
  client: string;
  acr?: Acr;
  purpose: string;
  caseRef?: string;
  /** Whom the actor represents (wards), for the relation of each record returned. */
  represented: string[];
}

let scratch: ScratchDatabases;
let system: TestSystem;
let callers: Caller[];
const tokens = new Map<string, string>();
const seen = { requests: 0, byStatus: new Map<number, number>(), byCode: new Map<string, number>(), example: new Map<string, string>() };

beforeAll(async () => {
  scratch = await startScratchDatabases({ citizens: 300, seed: 7 });
  system = await startTestSystem({ databases: scratch.urls });
  const wards = async (sub: string) => {
    const r = await system.query<{ me: { wards: { id: string }[] | null } | null }>({ as: { sub, client: 'citizen-portal' }, purpose: 'self-service', query: '{ me { wards { id } } }' });
    return (r.data?.me?.wards ?? []).map((w) => w.id);
  };
  callers = [
    { name: 'mother (portal)', sub: mother.id, client: 'citizen-portal', purpose: 'self-service', represented: await wards(mother.id) },
    { name: 'father of seven (portal)', sub: largeFamily.id, client: 'citizen-portal', purpose: 'self-service', represented: await wards(largeFamily.id) },
    { name: 'caseworker', sub: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', caseRef: 'SKA-2026-0042', represented: [] },
    { name: 'caseworker without case', sub: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', represented: [] },
    { name: 'tax officer', sub: 'staff-0004', client: 'tax-office-app', purpose: 'tax-assessment', caseRef: 'ETCB-1', represented: [] },
    { name: 'privacy officer', sub: 'staff-0002', client: 'privacy-console', acr: 'high', purpose: 'privacy-oversight', caseRef: 'DPO-1', represented: [] },
    { name: 'offers engine', sub: 'offers-engine', client: 'offers-engine', purpose: 'proactive-eligibility', caseRef: 'run-fuzz', represented: [] },
    { name: 'life-event relay', sub: 'life-event-relay', client: 'life-event-relay', purpose: 'life-event-propagation', caseRef: 'life-event:fuzz', represented: [] },
    { name: 'registrar', sub: 'staff-0003', client: 'civil-registry', purpose: 'birth-registration', caseRef: 'BIRTH-1', represented: [] },
    { name: 'explorer as mother, wrong purpose', sub: mother.id, client: 'graph-explorer', purpose: 'tax-assessment', caseRef: 'X-1', represented: [] },
    { name: 'portal, unknown purpose', sub: mother.id, client: 'citizen-portal', purpose: 'curiosity', represented: [] },
  ];
  for (const c of callers) tokens.set(c.name, await system.token(c.sub, c.client, c.acr));
  console.log(`generative test: seed ${SEED}, ${RUNS} runs of ${BATCH} requests (replay: GENERATIVE_SEED=${SEED})`);
});

afterAll(async () => {
  if (seen.requests) {
    const top = [...seen.byCode].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
    console.log(`generative test: ${seen.requests} requests; status ${[...seen.byStatus].sort().map(([s, n]) => `${s}: ${n}`).join(', ')}; codes ${top}`);
    if (process.env.GENERATIVE_EXAMPLES) console.log([...seen.example].map(([code, message]) => `  ${code}: ${message}`).join('\n'));
  }
  await system?.close();
  await scratch?.stop();
});

interface Answer {
  status: number;
  text: string;
  body?: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: string } }[] };
}

async function send(caller: Caller, request: GeneratedRequest): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(caller.name)}`, 'x-purpose': caller.purpose };
  if (caller.caseRef) headers['x-case-ref'] = caller.caseRef;
  if (request.policyMode !== undefined) headers['x-policy-mode'] = request.policyMode;
  const response = await fetch(system.gateway.url, { method: 'POST', headers, body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

/**
 * Every non-null field of the answer, judged for the caller's purpose and,
 * inside a Citizen, for that person's relation to the caller: the fields
 * the purpose does not allow. Empty when the answer is clean.
 */
function forbiddenFields(caller: Caller, request: GeneratedRequest, data: Record<string, unknown>): string[] {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch {
    return Object.keys(data).length ? ['data for a document that does not parse'] : [];
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = request.operationName ? operations.find((o) => o.name?.value === request.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return ['data without a resolvable operation'];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables);
  if (coerced.errors) return ['data although the variables do not coerce'];
  const variables = coerced.coerced;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const found: string[] = [];
  const relation = (id: unknown) => (id === caller.sub ? 'self' : typeof id === 'string' && caller.represented.includes(id) ? 'represented' : 'other');

  const visit = (value: unknown, type: GraphQLCompositeType, selectionSet: SelectionSetNode, path: string) => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, type, selectionSet, `${path}.${i}`));
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) if (key.startsWith('_cg')) found.push(`${path}.${key} (a reserved key left in)`);
    const concrete = isAbstractType(type) && typeof object.__typename === 'string' ? schema.getType(object.__typename) : type;
    if (!isObjectType(concrete)) return;
    const fields = collectFields(schema, fragments, variables, concrete, selectionSet);
    // A Citizen's fields are judged for that person; the generator always selects `id`.
    const idKey = [...fields].find(([, nodes]) => nodes[0]!.name.value === 'id')?.[0];
    const subject = concrete.name === 'Citizen' ? (idKey !== undefined ? relation(object[idKey]) : 'self') : undefined;
    for (const [key, nodes] of fields) {
      const name = nodes[0]!.name.value;
      if (!(key in object) || object[key] === null || name.startsWith('__')) continue;
      const definition = concrete.getFields()[name];
      if (!definition) {
        found.push(`${path}.${key} (not a field of ${concrete.name})`);
        continue;
      }
      const coordinate = `${concrete.name}.${name}`;
      const isRoot = concrete === schema.getQueryType() || concrete === schema.getMutationType();
      if (!isRoot) {
        const decision = decide(system.policy, { purpose: caller.purpose, field: coordinate, relation: subject, acr: caller.acr ?? 'substantial' });
        if (!decision.allow) found.push(`${path}.${key} = ${coordinate} for ${subject ?? 'no subject'} (${decision.reason})`);
      }
      const selection = nodes.flatMap((n) => n.selectionSet?.selections ?? []);
      if (selection.length) visit(object[key], getNamedType(definition.type) as GraphQLCompositeType, { kind: Kind.SELECTION_SET, selections: selection }, `${path}.${key}`);
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) visit(data, root, operation.selectionSet, 'data');
  return found;
}

function problemsOf(caller: Caller, request: GeneratedRequest, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  if (!answer.body) problems.push(`not JSON: ${answer.text.slice(0, 120)}`);
  const codes = (answer.body?.errors ?? []).map((e) => e.extensions?.code);
  if (codes.includes('INTERNAL_SERVER_ERROR') || codes.some((c) => c === undefined)) problems.push(`error codes ${JSON.stringify(codes)}`);
  if (/stacktrace|\bat .+\.(ts|js):\d+|node_modules|ECONNREFUSED|syntax error at or near|postgres/i.test(answer.text)) problems.push('internals in the answer');
  if (answer.body?.data) problems.push(...forbiddenFields(caller, request, answer.body.data));
  return problems;
}

describe('random operations, variables and strings', () => {
  it('never 5xx, never an internal error, never a field the purpose does not allow', async () => {
    const people = [mother.id, single.id, largeFamily.id, ...callers.flatMap((c) => c.represented), '39999999990', '49431123455'];
    const request = fc.record({ caller: fc.constantFrom(...callers), draw: fc.gen() });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const generated = batch.map(({ caller, draw }) => ({ caller, request: new OperationGenerator(schema, draw, { people }).request() }));
        const answers = await Promise.all(generated.map(({ caller, request: r }) => send(caller, r)));
        const failures: string[] = [];
        answers.forEach((answer, i) => {
          const { caller, request: r } = generated[i]!;
          seen.requests += 1;
          seen.byStatus.set(answer.status, (seen.byStatus.get(answer.status) ?? 0) + 1);
          for (const e of answer.body?.errors ?? []) {
            const code = String(e.extensions?.code);
            seen.byCode.set(code, (seen.byCode.get(code) ?? 0) + 1);
            if (!seen.example.has(code)) seen.example.set(code, String(e.message).slice(0, 100));
          }
          const problems = problemsOf(caller, r, answer);
          if (problems.length) failures.push(`${caller.name}: ${JSON.stringify(r)}\n  -> ${problems.join('; ')}\n  answer: ${answer.text.slice(0, 300)}`);
        });
        if (failures.length) console.log(`generative test failure (seed ${SEED}):\n${failures.join('\n')}`);
        expect(failures, failures.join('\n')).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, ...(process.env.GENERATIVE_PATH ? { path: process.env.GENERATIVE_PATH } : {}) },
    );
    // Even cut short by the time limit, a run has sent hundreds of requests.
    if (!process.env.GENERATIVE_PATH) expect(seen.requests).toBeGreaterThanOrEqual(400);
    // Nothing died: every service still answers.
    for (const url of [system.gateway.url, ...Object.values(system.subgraphs).map((s) => s.url)]) {
      expect((await fetch(url.replace('/graphql', '/health'))).status, url).toBe(200);
    }
    const me = await system.query<{ me: { givenName: string } }>({ as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service', query: '{ me { givenName } }' });
    expect(me.data?.me.givenName).toBeTruthy();
  }, 240_000);
});
