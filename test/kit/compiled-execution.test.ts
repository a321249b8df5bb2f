/**
 * Compiled execution (graphql-jit) answers as graphql-js does. The gateway's
 * own calls to every agency for a set of client operations (the unified view
 * of every persona, a caseworker's list, the offers engine's page) are
 * recorded on their way to graphql-js subgraphs (the reference), then sent
 * again to the system's compiled subgraphs: status and body must be the same.
 * Direct calls add what the gateway never sends: refused fields, federation's
 * _service, unknown entity types, bad variables, directives and aliases.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { PAGE_QUERY } from '../../offers/facts.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { CONTEXT_HEADER, signContext, type CallerContext } from '../../platform/context-token.ts';
import { metrics } from '../../platform/metrics.ts';
import { AGENCY_NAMES, subgraphDatabase, type AgencyName } from '../../platform/topology.ts';
import { citizenPersonas, personaByRole } from '../../seed/personas.ts';
import { AGENCIES } from '../../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../../subgraphs/kit/server.ts';
import { compiledExecution } from '../../subgraphs/kit/compiled-execution.ts';
import { UNIFIED_VIEW, foundationCall, foundationPolicy } from '../support/foundation-policy.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

interface Call { query: string; variables?: Record<string, unknown> | null; operationName?: string }
interface Answer { status: number; body: unknown }
interface Recorded { agency: AgencyName; call: Call; caller: CallerContext; answer: Answer }

let system: TestSystem;
let gateway: RunningGateway;
const reference = {} as Record<AgencyName, RunningService>;
const proxies: Server[] = [];
const recorded: Recorded[] = [];

/** How many operations each agency's compiled server ran, by how (its metric). */
async function executions() {
  // Copied out: prom-client hands back its live entries.
  const counts = new Map((await metrics.subgraphExecutions.get()).values.map((v) => [`${v.labels.service} ${v.labels.execution}`, v.value]));
  return (agency: AgencyName, execution: 'compiled' | 'graphql-js') => counts.get(`${agency} ${execution}`) ?? 0;
}

const callerOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { ctx: CallerContext }).ctx;

async function send(url: string, agency: AgencyName, caller: CallerContext, call: Call): Promise<Answer> {
  const token = signContext(caller, agency, system.contextSigningKey, { body: JSON.stringify(call), policyDigest: policyDigest(system.policy) });
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token }, body: JSON.stringify(call) });
  return { status: response.status, body: await response.json() };
}

/** A proxy in front of a reference subgraph, recording each call the gateway makes and graphql-js's answer. */
async function recordingProxy(agency: AgencyName, target: string): Promise<string> {
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !['host', 'content-length', 'connection'].includes(e[0])));
    const response = await fetch(target, { method: 'POST', headers, body: text });
    const answer = await response.text();
    const token = headers[CONTEXT_HEADER];
    if (token) recorded.push({ agency, call: JSON.parse(text) as Call, caller: callerOf(token), answer: { status: response.status, body: JSON.parse(answer) } });
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(answer);
  };
  const proxy = createServer((req, res) => {
    forward(req, res).catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxies.push(proxy);
  return `http://127.0.0.1:${(proxy.address() as { port: number }).port}/graphql`;
}

beforeAll(async () => {
  system = await startTestSystem({ policy: foundationPolicy() });
  const databases = inject('databases');
  const urls = {} as Record<AgencyName, string>;
  for (const agency of AGENCY_NAMES) {
    reference[agency] = await startSubgraph(AGENCIES[agency], { port: 0, databaseUrl: databases[subgraphDatabase(agency)], policy: system.policy, contextKey: system.contextKeys, execution: 'graphql-js' });
    urls[agency] = await recordingProxy(agency, reference[agency].url);
  }
  gateway = await startGateway({ port: 0, policy: system.policy, subgraphUrls: urls, contextSigningKey: system.contextSigningKey, auth: system.gatewayAuth });
});

afterAll(async () => {
  await gateway?.close();
  for (const proxy of proxies) await new Promise((resolve) => proxy.close(resolve));
  for (const service of Object.values(reference)) await service.close();
  await system?.close();
});

async function throughGateway(query: string, variables?: Record<string, unknown>) {
  const token = await system.token(foundationCall.as.sub, foundationCall.as.client, foundationCall.as.acr, foundationCall.as.entitlements);
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': foundationCall.purpose, 'x-case-ref': foundationCall.caseRef },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  expect({ status: response.status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
}

const caseworker: CallerContext = { actor: 'staff-test-0001', client: foundationCall.as.client, purpose: foundationCall.purpose, acr: 'high', caseRef: 'TEST-1', requestId: 'compiled-test', scope: { represented: [], any: true } };
const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const selfService: CallerContext = { actor: mother.id, client: 'citizen-portal', purpose: 'self-service', acr: 'substantial', requestId: 'compiled-test', scope: { self: mother.id, represented: [], any: false } };

describe('compiled execution in the subgraphs', () => {
  it("gives the gateway's own calls to every agency the answers graphql-js gives", async () => {
    for (const persona of citizenPersonas()) await throughGateway(`query($id: ID!) { citizen(id: $id) { ${UNIFIED_VIEW} } }`, { id: persona.id });
    await throughGateway('{ citizens(first: 50) { edges { cursor node { id givenName children { id givenName dateOfBirth } annualIncome } } pageInfo { hasNextPage endCursor } } }');
    await throughGateway(PAGE_QUERY, { first: 20 });
    await throughGateway('{ programmes { code name kind legalSource } }');
    expect(new Set(recorded.map((r) => r.agency))).toEqual(new Set(AGENCY_NAMES));
    expect(recorded.some((r) => r.call.query.includes('_entities'))).toBe(true);
    const before = await executions();
    for (const { agency, call, caller, answer } of recorded) {
      expect(answer.status).toBe(200);
      expect(await send(system.subgraphs[agency].url, agency, caller, call), `${agency}: ${call.operationName ?? call.query.slice(0, 80)}`).toEqual(answer);
    }
    // Every one of them ran compiled: none fell back to graphql-js.
    const after = await executions();
    for (const agency of AGENCY_NAMES) {
      expect(after(agency, 'compiled') - before(agency, 'compiled')).toBe(recorded.filter((r) => r.agency === agency).length);
      expect(after(agency, 'graphql-js')).toBe(before(agency, 'graphql-js'));
    }
  });

  const direct: [string, AgencyName, CallerContext, Call][] = [
    ['federation _service', 'benefits', caseworker, { query: '{ _service { sdl } }' }],
    ['entities with aliases, __typename, @include and @skip by variables', 'tax', caseworker, {
      query: 'query($r: [_Any!]!, $yes: Boolean!, $no: Boolean!) { _entities(representations: $r) { __typename ... on Citizen { who: id income: annualIncome @include(if: $yes) incomes @skip(if: $no) { year amount } hidden: annualIncome @include(if: $no) } } }',
      variables: { r: [{ __typename: 'Citizen', id: single.id }, { __typename: 'Citizen', id: 'no-such-person' }], yes: true, no: false },
    }],
    ['refused fields of another person (errors with path and extensions)', 'tax', selfService, {
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id annualIncome incomes { year amount } taxAssessments { year } } } }',
      variables: { r: [{ __typename: 'Citizen', id: mother.id }, { __typename: 'Citizen', id: single.id }] },
    }],
    ['a refused root field', 'identity', selfService, { query: 'query($id: ID!) { citizen(id: $id) { givenName } }', variables: { id: single.id } }],
    ['an entity type the subgraph does not know', 'family', caseworker, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: [{ __typename: 'Nobody', id: 'x' }] } }],
    ['variables of the wrong type', 'identity', caseworker, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id } } }', variables: { r: null } }],
    ['a variable missing', 'benefits', caseworker, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id } } }', variables: {} }],
    ['a custom scalar argument and dates out', 'benefits', caseworker, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { benefitPayments(last: 2) { paidOn amount } benefitEnrollments { since until status programme { code kind } } } } }', variables: { r: [{ __typename: 'Citizen', id: single.id }] } }],
    ['one operation of several, chosen by name', 'identity', caseworker, { query: 'query A { programmes: __typename } query B($id: ID!) { citizen(id: $id) { givenName dateOfBirth } }', variables: { id: single.id }, operationName: 'B' }],
    ['an operation name the document does not have (jit cannot compile it)', 'identity', caseworker, { query: 'query A { __typename }', operationName: 'C' }],
  ];

  it.each(direct)('answers %s as graphql-js does', async (name, agency, caller, call) => {
    const expected = await send(reference[agency].url, agency, caller, call);
    const before = await executions();
    const actual = await send(system.subgraphs[agency].url, agency, caller, call);
    // Byte for byte: the same keys in the same order too.
    expect(JSON.stringify(actual)).toEqual(JSON.stringify(expected));
    const after = await executions();
    // Refused variables are answered by graphql-js in its own words; everything else runs compiled.
    const byGraphqlJs = name.startsWith('variables') || name.startsWith('a variable') || name.includes('jit cannot compile');
    expect([after(agency, 'compiled') - before(agency, 'compiled'), after(agency, 'graphql-js') - before(agency, 'graphql-js')]).toEqual(byGraphqlJs ? [0, 1] : [1, 0]);
  });

  it("calls a function found in a property, as graphql-js's default resolver does (agencies' rows carry loaders so)", async () => {
    const schema = buildSchema('type Query { enrolment: Enrolment } type Enrolment { status: String programme: Programme } type Programme { code: String }');
    schema.getQueryType()!.getFields().enrolment!.resolve = () => ({ status: 'ACTIVE', programme: () => ({ code: 'child-allowance' }) });
    const executor = (await compiledExecution(schema, 'scratch').load({ apollo: {} })).executor!;
    const query = '{ enrolment { status programme { code } } }';
    const before = await executions();
    const result = await executor({ request: { query }, document: parse(query), queryHash: 'scratch-1', context: {} } as unknown as Parameters<typeof executor>[0]);
    expect(result).toEqual({ data: { enrolment: { status: 'ACTIVE', programme: { code: 'child-allowance' } } } });
    expect((await executions())('scratch' as AgencyName, 'compiled') - before('scratch' as AgencyName, 'compiled')).toBe(1);
  });

  it('refuses what the purpose does not allow, with the reason, on the compiled path too', async () => {
    const call = direct[2]![3];
    const { status, body } = await send(system.subgraphs.tax.url, 'tax', selfService, call);
    const { data, errors } = body as { data: { _entities: ({ annualIncome: number | null } | null)[] }; errors: { path: unknown[]; extensions: { code: string; reason: string } }[] };
    expect(status).toBe(200);
    expect(data._entities[0]!.annualIncome).toBeTypeOf('number');
    expect(data._entities[1]?.annualIncome ?? null).toBeNull();
    expect(errors.some((e) => e.path.join('.') === '_entities.1.annualIncome' && e.extensions.code === 'UNAUTHORIZED_FIELD_OR_TYPE' && e.extensions.reason === 'SUBJECT_OUT_OF_SCOPE')).toBe(true);
  });
});
