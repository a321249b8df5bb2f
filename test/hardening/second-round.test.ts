/**
 * Hostile input, second round (issue 13): cost that sees variables and
 * fan-out, 4xx for everything a client sends, strings and personal codes
 * checked at the door, token times and headers, births verified against the
 * population register, and quiet operational surfaces. Every test here
 * fails on the code before these fixes.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getIntrospectionQuery, parse } from 'graphql';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { estimateCost } from '../../gateway/hardening/cost.ts';
import { LIST_SIZES } from '../../gateway/hardening/list-sizes.ts';
import { PERSONAL_CODE_INPUTS } from '../../gateway/hardening/input-strings.ts';
import { measureResponse } from '../../gateway/hardening/response-limits.ts';
import { DEFAULT_CLIENT_LIMITS, DEFAULT_LIMITS, DEFAULT_LIST_SIZE, hardeningDefaults } from '../../platform/config.ts';
import { attestBirth, signerFromJwk, type AttestedBirth } from '../../platform/life-event-attestation.ts';
import { PAGE_QUERY } from '../../offers/facts.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE, evaluateCitizens } from '../../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../../offers/gateway-client.ts';
import { RELAY_CLIENT, RELAY_PURPOSE } from '../../events/consumers.ts';
import { personaByRole } from '../../seed/personas.ts';
import { generatePopulation } from '../../seed/generate.ts';
import { citizenPersonas } from '../../seed/personas.ts';
import { today } from '../../platform/clock.ts';
import { AGENCY_NAMES, type AgencyName } from '../../platform/topology.ts';
import { readFileSync } from 'node:fs';
import { CLIENT_CODES } from '../../platform/mask-error.ts';
import { apiSchema } from '../support/api-schema.ts';
import { startTestSystem, type GraphQLCall, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const largeFamily = personaByRole('large-family');
const caseworker = personaByRole('caseworker');
const officer = personaByRole('privacy-officer');
const schema = apiSchema();

let system: TestSystem;
let production: RunningGateway;
let tight: RunningGateway;

const subgraphUrls = () => Object.fromEntries(AGENCY_NAMES.map((name) => [name, system.subgraphs[name].url])) as Record<AgencyName, string>;

beforeAll(async () => {
  system = await startTestSystem();
  const common = { port: 0, policy: system.policy, subgraphUrls: subgraphUrls(), contextSigningKey: system.contextSigningKey, auth: system.gatewayAuth };
  production = await startGateway({ ...common, hardening: hardeningDefaults(true) });
  // Response limits low enough for a family to pass them.
  tight = await startGateway({ ...common, hardening: { ...hardeningDefaults(false), limits: { ...DEFAULT_LIMITS, maxResponseRecords: 5, maxResponseBytes: 100_000 } } });
});
afterAll(async () => {
  await tight?.close();
  await production?.close();
  await system?.close();
});

const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);
const asMother = { as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service' };
const asCaseworker = { as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef: 'SKA-2026-0013' };
const asOfficer = { as: { sub: officer.id, client: 'privacy-console', acr: 'high' as const }, purpose: 'privacy-oversight', caseRef: 'DPO-2026-0013' };
const asEngine = { as: { sub: ENGINE_CLIENT, client: ENGINE_CLIENT }, purpose: ENGINE_PURPOSE, caseRef: 'run-13', headers: { 'x-policy-mode': 'strict' } };
const asRelay = { as: { sub: RELAY_CLIENT, client: RELAY_CLIENT }, purpose: RELAY_PURPOSE, caseRef: 'life-event:13' };

async function at(url: string, call: GraphQLCall & { as: { sub: string; client: string; acr?: 'low' | 'substantial' | 'high' } }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${await system.token(call.as.sub, call.as.client, call.as.acr)}`, ...call.headers };
  if (call.purpose) headers['x-purpose'] = call.purpose;
  if (call.caseRef) headers['x-case-ref'] = call.caseRef;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: call.query, variables: call.variables, operationName: call.operationName }) });
  return { status: response.status, text: await response.clone().text(), ...((await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }) };
}

function expectRefused(r: { status: number; data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }, code: string, status = 400) {
  expect(r.status).toBe(status);
  expect(codes(r)).toContain(code);
  expect(r.data ?? null).toBeNull();
}

const nested = (field: string, depth: number, leaf = 'id givenName') => {
  let selection = leaf;
  for (let i = 0; i < depth; i++) selection = `${field} { ${selection} }`;
  return selection;
};

describe('cost that sees the real work', () => {
  const estimate = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
    return estimateCost({ schema, document, operationType: operation.operation, variables, sizes: LIST_SIZES, defaultListSize: DEFAULT_LIST_SIZE });
  };

  it('a page size given in a variable costs what the same literal costs', () => {
    const literal = estimate('{ citizens(first: 1000) { edges { node { id children { id } } } } }');
    const variable = estimate('query($n: Int!) { citizens(first: $n) { edges { node { id children { id } } } } }', { n: 1000 });
    expect(variable).toBe(literal);
    expect(variable).toBeGreaterThan(DEFAULT_LIMITS.maxEstimatedCost);
    expect(estimate('query($n: Int!) { citizens(first: $n) { edges { node { id children { id } } } } }', { n: 10 })).toBeLessThan(200);
  });

  it('introspection costs nothing (the schema, not the registers), whatever the operation is called', () => {
    expect(estimate(getIntrospectionQuery())).toBe(0);
    expect(estimate('query __schema { me { id children { id } } }')).toBe(estimate('query Q { me { id children { id } } }'));
    expect(estimate('query Q { me { id children { id } } }')).toBeGreaterThan(0);
  });

  it('a variable page of 1,000 with children is refused for a caseworker, as the literal one is', async () => {
    const query = 'query Page($n: Int!) { citizens(first: $n) { edges { node { id givenName children { id givenName } } } } }';
    expectRefused(await system.query({ ...asCaseworker, query, variables: { n: 1000 } }), 'COST_ESTIMATED_TOO_EXPENSIVE');
    const small = await system.query<{ citizens: { edges: unknown[] } }>({ ...asCaseworker, query, variables: { n: 50 } });
    expect(small.status).toBe(200);
    expect(small.data?.citizens.edges).toHaveLength(50);
  });

  it('unpaginated lists multiply: householdMembers five deep is refused, two deep is served', async () => {
    expect(estimate(`{ me { ${nested('householdMembers', 5)} } }`)).toBeGreaterThan(30_000);
    const deep = await system.query({ as: { sub: largeFamily.id, client: 'citizen-portal' }, purpose: 'self-service', query: `{ me { ${nested('householdMembers', 5)} } }` });
    expectRefused(deep, 'COST_ESTIMATED_TOO_EXPENSIVE');
    const shallow = await system.query({ as: { sub: largeFamily.id, client: 'citizen-portal' }, purpose: 'self-service', query: `{ me { ${nested('householdMembers', 2)} } }` });
    expect(shallow.status).toBe(200);
  });

  it('a fragment bomb hidden behind variables and defaults is refused', async () => {
    const spreads = (name: string) => Array.from({ length: 8 }, () => `...${name}`).join(' ');
    const query = `query Bomb($n: Int = 1000) { citizens(first: $n) { edges { node { ...A } } } }
      fragment A on Citizen { children { ${spreads('B')} } } fragment B on Citizen { householdMembers { ${spreads('C')} } } fragment C on Citizen { id givenName }`;
    expectRefused(await system.query({ ...asCaseworker, query }), 'COST_ESTIMATED_TOO_EXPENSIVE');
  });

  it("the offers engine's own page is measured by the same rule, within its own limit only", async () => {
    const cost = estimate(PAGE_QUERY, { first: 1000, after: null });
    const engine = DEFAULT_CLIENT_LIMITS['offers-engine']!;
    expect(cost).toBeGreaterThan(DEFAULT_LIMITS.maxEstimatedCost);
    expect(cost).toBeLessThanOrEqual(engine.maxEstimatedCost!);
    // Not a loophole: a page of 1,000 asking one list level more is over the engine's limit too.
    const deeper = PAGE_QUERY.replace('eligibility { sealed }', 'eligibility { sealed } children { householdMembers { children { id } } }');
    expect(deeper).not.toBe(PAGE_QUERY);
    expect(estimate(deeper, { first: 1000, after: null })).toBeGreaterThan(engine.maxEstimatedCost!);

    const page = await system.query<{ citizens: { edges: unknown[] } }>({ ...asEngine, query: PAGE_QUERY, variables: { first: 1000 } });
    expect(page.status).toBe(200);
    expect(page.data?.citizens.edges).toHaveLength(1000);
    const size = measureResponse(page.data, { maxRecords: Infinity, maxBytes: Infinity });
    expect(size.records).toBeLessThanOrEqual(engine.maxResponseRecords!);
    expect(size.bytes).toBeLessThanOrEqual(engine.maxResponseBytes!);
    // The same page under another client's limits is refused before any subgraph is asked.
    expectRefused(await system.query({ ...asCaseworker, query: PAGE_QUERY, variables: { first: 1000 } }), 'COST_ESTIMATED_TOO_EXPENSIVE');
    expectRefused(await system.query({ ...asEngine, query: deeper, variables: { first: 1000 } }), 'COST_ESTIMATED_TOO_EXPENSIVE');
  });

  it('every list field of the graph has a size of its own', () => {
    const lists: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !('getFields' in type) || !('getInterfaces' in type)) continue;
      for (const field of Object.values(type.getFields())) {
        const text = String(field.type);
        if (text.includes('[') || /Connection|Page$/.test(text.replace(/!$/, ''))) lists.push(`${type.name}.${field.name}`);
      }
    }
    const unsized = lists.filter((coordinate) => !Object.hasOwn(LIST_SIZES, coordinate));
    expect(unsized).toEqual([]);
    const stale = Object.keys(LIST_SIZES).filter((coordinate) => !lists.includes(coordinate));
    expect(stale).toEqual([]);
  });

  it('a response over the records or bytes limit carries no data, with a code', async () => {
    const r = await at(tight.url, { ...asMother, query: '{ me { id children { id givenName } householdMembers { id givenName } } }' });
    expectRefused(r, 'RESPONSE_TOO_LARGE');
    const fits = await at(tight.url, { ...asMother, query: '{ me { id givenName } }' });
    expect(fits.status).toBe(200);
    expect((fits.data as { me: { givenName: string } }).me.givenName).toBeTruthy();
  });
});

describe('4xx, never 5xx, for anything a client sends', () => {
  it('variable defaults execute: a skipped field, a default id', async () => {
    const skipped = await system.query<{ me: Record<string, unknown> }>({ ...asMother, query: 'query($s: Boolean = false) { me { id givenName @include(if: $s) } }' });
    expect(skipped.status).toBe(200);
    expect(skipped.data?.me).toEqual({ id: mother.id });
    const byDefault = await system.query<{ citizen: { givenName: string } }>({ ...asMother, query: `query($id: ID! = "${mother.id}") { citizen(id: $id) { givenName } }` });
    expect(byDefault.status).toBe(200);
    expect(byDefault.data?.citizen.givenName).toBeTruthy();
  });

  it('a subscription is a validation failure', async () => {
    expectRefused(await system.query({ ...asMother, query: 'subscription { me { givenName } }' }), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('an unknown operationName, or several operations and none chosen, is OPERATION_RESOLUTION_FAILURE', async () => {
    expectRefused(await system.query({ ...asMother, query: 'query A { me { givenName } }', operationName: 'B' }), 'OPERATION_RESOLUTION_FAILURE');
    expectRefused(await system.query({ ...asMother, query: 'query A { me { givenName } } query B { me { familyName } }' }), 'OPERATION_RESOLUTION_FAILURE');
    expectRefused(await system.query({ ...asMother, query: '{ me { givenName } } { me { familyName } }' }), 'GRAPHQL_VALIDATION_FAILED');
    const chosen = await system.query<{ me: { familyName: string } }>({ ...asMother, query: 'query A { me { givenName } } query B { me { familyName } }', operationName: 'B' });
    expect(chosen.data?.me.familyName).toBeTruthy();
  });

  it('variables of the wrong type, and an operationName that is not a name, are 400', async () => {
    expectRefused(await system.query({ ...asCaseworker, query: 'query($n: Int!) { citizens(first: $n) { edges { node { id } } } }', variables: { n: 'many' } }), 'BAD_USER_INPUT');
    expectRefused(await system.query({ ...asMother, query: 'query A { me { givenName } }', operationName: 'A\u0000' }), 'BAD_REQUEST');
  });

  it('a field selected twice is judged and cleaned as one (the generative test found the second selection unchecked)', async () => {
    const r = await system.query<{ citizens: { edges: { node: { id: string } }[] } }>({ ...asCaseworker, query: '{ citizens(first: 3) { edges { cursor } edges { node { id } } } }' });
    expect(r.status).toBe(200);
    expect(r.data?.citizens.edges).toHaveLength(3);
    expect(JSON.stringify(r.data)).not.toContain('_cg');
    const partner = await system.query<{ me: { partner: Record<string, unknown> | null } }>({ ...asMother, query: '{ me { partner { id } partner { annualIncome } } }' });
    expect(partner.data?.me.partner?.annualIncome ?? null).toBeNull();
    // Decided by the gateway itself, not left to the tax register's shield.
    expect(partner.errors?.find((e) => e.extensions?.field === 'Citizen.annualIncome')?.extensions?.serviceName).toBeUndefined();
  });

  it('the reserved response keys are a 400, not a 500', async () => {
    expectRefused(await system.query({ ...asMother, query: '{ me { _cgSubject: givenName } }' }), 'BAD_USER_INPUT');
  });
});

describe('strings validated at the door', () => {
  it('NUL in an id: BAD_USER_INPUT before the register sees it', async () => {
    const r = await system.query({ ...asCaseworker, query: 'query($id: ID!) { citizen(id: $id) { givenName } }', variables: { id: `${single.id}\u0000` } });
    expectRefused(r, 'BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/NUL/);
    const literal = await system.query({ ...asCaseworker, query: `{ citizen(id: "${single.id}\\u0000") { givenName } }` });
    expectRefused(literal, 'BAD_USER_INPUT');
  });

  it('NUL in an audit search', async () => {
    const r = await system.query({ ...asOfficer, query: 'query($p: String) { auditSearch(purpose: $p) { records { seq } } }', variables: { p: 'self-service\u0000' } });
    expectRefused(r, 'BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/NUL/);
  });

  it('NUL in a contest reason', async () => {
    const engine = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.token(ENGINE_CLIENT, ENGINE_CLIENT)));
    await evaluateCitizens(engine, [mother.id], 'run-13-contest');
    const offers = await system.query<{ me: { proactiveOffers: { id: string }[] } }>({ ...asMother, query: '{ me { proactiveOffers { id } } }' });
    const offer = offers.data?.me.proactiveOffers[0];
    expect(offer).toBeDefined();
    const r = await system.query({ ...asMother, query: 'mutation($id: ID!, $why: String!) { contestOffer(id: $id, reason: $why) { id } }', variables: { id: offer!.id, why: 'the amount is wrong\u0000' } });
    expectRefused(r, 'BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/NUL/);
  });

  it('other control characters and unpaired surrogates, in variables, keys and literals', async () => {
    for (const bad of ['\u0007bell', 'esc\u001B[2J', '\uD800alone', 'tail\uDC00', 'c1\u0085']) {
      expectRefused(await system.query({ ...asOfficer, query: 'query($p: String) { auditSearch(purpose: $p) { records { seq } } }', variables: { p: bad } }), 'BAD_USER_INPUT');
    }
    expectRefused(await system.query({ ...asOfficer, query: 'query($p: String) { auditSearch(purpose: $p) { records { seq } } }', variables: { p: 'x', ['k\u0000']: 1 } }), 'BAD_USER_INPUT');
    expectRefused(await system.query({ ...asOfficer, query: '{ auditSearch(client: "a\\u0001b") { records { seq } } }' }), 'BAD_USER_INPUT');
    // Text is text: new lines, tabs, accents and emoji pass.
    const ok = await system.query({ ...asOfficer, query: 'query($p: String) { auditSearch(purpose: $p) { records { seq } } }', variables: { p: 'line\nnext\ttab õäöü 👪' } });
    expect(ok.status).toBe(200);
  });

  it('arguments that are personal codes are checked as personal codes', async () => {
    expect([...PERSONAL_CODE_INPUTS].every((c) => /^\w+\.\w+(\(\w+:\))?$/.test(c))).toBe(true);
    const wrongDigit = `${single.id.slice(0, 10)}${(Number(single.id[10]) + 1) % 10}`;
    for (const id of [wrongDigit, '1', 'staff-0001', "' OR 1=1 --"]) {
      const r = await system.query({ ...asCaseworker, query: 'query($id: ID!) { citizen(id: $id) { givenName } }', variables: { id } });
      expectRefused(r, 'BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.argument).toBe('Query.citizen(id:)');
    }
    const inInput = await system.query({ as: { sub: 'staff-0003', client: 'civil-registry' }, purpose: 'birth-registration', caseRef: 'BIRTH-13',
      query: 'mutation($i: RegisterBirthInput!) { registerBirth(input: $i) { id } }', variables: { i: { givenName: 'A', familyName: 'B', dateOfBirth: today(), sex: 'F', motherId: wrongDigit } } });
    expectRefused(inInput, 'BAD_USER_INPUT');
    expect(inInput.errors?.[0]?.extensions?.argument).toBe('RegisterBirthInput.motherId');
  });

  it('every personal-code coordinate exists in the graph', () => {
    for (const coordinate of PERSONAL_CODE_INPUTS) {
      const argument = /^(\w+)\.(\w+)\((\w+):\)$/.exec(coordinate);
      if (argument) {
        const type = schema.getType(argument[1]!) as unknown as { getFields(): Record<string, { args: { name: string }[] }> };
        expect(type.getFields()[argument[2]!]?.args.some((a) => a.name === argument[3]), coordinate).toBe(true);
      } else {
        const [typeName, field] = coordinate.split('.');
        const type = schema.getType(typeName!) as unknown as { getFields(): Record<string, unknown> } | undefined;
        expect(type?.getFields()[field!], coordinate).toBeDefined();
      }
    }
  });
});

describe('tokens and headers', () => {
  it('a token valid for a hundred years is refused (no exp, iat or nbf in the future: test/gateway/authenticate.test.ts)', async () => {
    const century = await system.devIssuer.issue({ sub: mother.id, client: 'citizen-portal', lifetimeSeconds: 100 * 365 * 86_400 });
    const r = await system.query({ token: century, purpose: 'self-service', query: '{ me { givenName } }' });
    expectRefused(r, 'UNAUTHENTICATED', 401);
    expect(r.errors?.[0]?.message).toMatch(/valid for longer/);
    const hour = await system.devIssuer.issue({ sub: mother.id, client: 'citizen-portal', lifetimeSeconds: 3600 });
    expect((await system.query({ token: hour, purpose: 'self-service', query: '{ me { givenName } }' })).status).toBe(200);
  });

  it('an unknown x-policy-mode is refused with 400, the known ones work', async () => {
    for (const mode of ['STRICT', 'reject', 'Strict ', 'off']) {
      expectRefused(await system.query({ ...asMother, headers: { 'x-policy-mode': mode }, query: '{ me { givenName } }' }), 'BAD_REQUEST');
    }
    for (const mode of ['strict', 'lenient']) {
      expect((await system.query({ ...asMother, headers: { 'x-policy-mode': mode }, query: '{ me { givenName } }' })).status).toBe(200);
    }
  });

  it('no suggestions of any kind in production: fields, arguments, types, enum values', async () => {
    const explorer = { sub: mother.id, client: 'graph-explorer' };
    for (const query of ['{ me { givenNam } }', '{ citizens(frist: 1) { edges { cursor } } }', 'query($x: Citizn) { me { id } }', '{ auditSearch(first: 1) { records { seq } } } fragment F on AuditRecord { outcome } query { programmes { kind } }']) {
      const r = await at(production.url, { as: explorer, purpose: 'self-service', query });
      expect(r.status).toBe(400);
      expect(r.text).not.toMatch(/did you mean/i);
    }
    const registrar = { sub: 'staff-0003', client: 'graph-explorer' };
    const enumLiteral = await at(production.url, { as: registrar, purpose: 'birth-registration', caseRef: 'BIRTH-13', query: `mutation { registerBirth(input: { givenName: "A", familyName: "B", dateOfBirth: "2026-01-01", sex: FF, motherId: "${mother.id}" }) { id } }` });
    expect(enumLiteral.status).toBe(400);
    expect(enumLiteral.text).not.toMatch(/did you mean/i);
    const enumVariable = await at(production.url, { as: registrar, purpose: 'birth-registration', caseRef: 'BIRTH-13', query: 'mutation($i: RegisterBirthInput!) { registerBirth(input: $i) { id } }', variables: { i: { givenName: 'A', familyName: 'B', dateOfBirth: '2026-01-01', sex: 'FF', motherId: mother.id } } });
    expectRefused(enumVariable, 'BAD_USER_INPUT');
    expect(enumVariable.text).not.toMatch(/did you mean/i);
    // Development keeps them: they help.
    const dev = await system.query({ as: registrar, purpose: 'birth-registration', caseRef: 'BIRTH-13', query: 'mutation($i: RegisterBirthInput!) { registerBirth(input: $i) { id } }', variables: { i: { givenName: 'A', familyName: 'B', dateOfBirth: '2026-01-01', sex: 'FF', motherId: mother.id } } });
    expect(JSON.stringify(dev.errors)).toMatch(/did you mean/i);
  });
});

describe('service writes verified against the register that owns the fact', () => {
  const registerBirth = 'mutation($input: RegisterBirthInput!) { registerBirth(input: $input) { id } }';
  const recordBirth = 'mutation($input: RecordBirthInput!) { recordBirth(input: $input) { eventId alreadyRecorded } }';
  let event: AttestedBirth & { attestation: string };
  let stranger: string;

  beforeAll(async () => {
    // A real birth, registered by a registrar: its outbox event carries the population register's attestation.
    const { citizens, seed, today: day } = inject('seed');
    const personaIds = new Set(citizenPersonas().map((p) => p.id));
    const women: string[] = [];
    for (const household of generatePopulation({ citizens, seed, today: new Date(`${day}T00:00:00Z`) })) {
      for (const c of household.rows.citizen) if (c.sex === 'F' && c.date_of_death === null && !personaIds.has(c.id) && c.date_of_birth > '1985-01-01' && c.date_of_birth < '1995-01-01') women.push(c.id);
      if (women.length >= 3) break;
    }
    const [motherId, otherWoman] = women.slice(-2);
    stranger = otherWoman!;
    const registered = await system.query<{ registerBirth: { id: string } }>({ as: { sub: 'staff-0003', client: 'civil-registry' }, purpose: 'birth-registration', caseRef: 'BIRTH-13-1', query: registerBirth, variables: { input: { givenName: 'Eha', familyName: 'Test', dateOfBirth: today(), sex: 'F', motherId } } });
    expect(registered.errors).toBeUndefined();
    const [row] = await system.subgraphs.identity.db.query<{ id: string; payload: { attestation: string; dateOfBirth: string } }>('SELECT id::text AS id, payload FROM outbox WHERE subject_id = $1', [registered.data!.registerBirth.id]);
    event = { eventId: `identity-outbox:${row!.id}`, childId: registered.data!.registerBirth.id, motherId: motherId!, secondParentId: null, secondParentSex: null, dateOfBirth: row!.payload.dateOfBirth, attestation: row!.payload.attestation };
    expect(event.attestation).toMatch(/^ey/);
  });

  const input = (overrides: Record<string, unknown> = {}) => ({ eventId: event.eventId, childId: event.childId, dateOfBirth: event.dateOfBirth, motherId: event.motherId, secondParentId: null, secondParentRole: null, attestation: event.attestation, ...overrides });
  const record = (overrides: Record<string, unknown>) => system.query<{ recordBirth: { alreadyRecorded: boolean } }>({ ...asRelay, query: recordBirth, variables: { input: input(overrides) } });
  const refusedWith = async (overrides: Record<string, unknown>, code: string, field?: string) => {
    const r = await record(overrides);
    expect(r.data?.recordBirth ?? null).toBeNull();
    expect(codes(r)).toEqual([code]);
    if (field) expect(r.errors?.[0]?.extensions?.field).toBe(field);
  };

  it('an invented event (no signature of the population register) is refused', async () => {
    await refusedWith({ eventId: 'identity-outbox:999999999', childId: single.id, motherId: mother.id, attestation: 'not-a-signature' }, 'LIFE_EVENT_NOT_ATTESTED');
  });

  it('an event signed by anyone but the population register is refused', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const forger = await signerFromJwk(await exportJWK(privateKey));
    const forged = await attestBirth({ ...event, childId: single.id, motherId: mother.id }, forger);
    await refusedWith({ childId: single.id, motherId: mother.id, attestation: forged }, 'LIFE_EVENT_NOT_ATTESTED');
  });

  it('a real event with a stranger as the child is refused', async () => {
    await refusedWith({ childId: single.id }, 'LIFE_EVENT_MISMATCH', 'childId');
  });

  it('a real event with another mother is refused', async () => {
    await refusedWith({ motherId: stranger }, 'LIFE_EVENT_MISMATCH', 'motherId');
  });

  it('a real event with a second parent the register did not record, or another role, is refused', async () => {
    await refusedWith({ secondParentId: largeFamily.id, secondParentRole: 'FATHER' }, 'LIFE_EVENT_MISMATCH', 'secondParentId');
    await refusedWith({ secondParentRole: 'PARENT' }, 'LIFE_EVENT_MISMATCH', 'secondParentRole');
  });

  it('a real event under another event id, or another date, is refused', async () => {
    const another = `identity-outbox:${Number(event.eventId.split(':')[1]) + 1_000_000}`;
    await refusedWith({ eventId: another }, 'LIFE_EVENT_MISMATCH', 'eventId');
    await refusedWith({ dateOfBirth: '2000-01-01' }, 'LIFE_EVENT_MISMATCH', 'dateOfBirth');
  });

  it('exactly the attested birth is recorded, once', async () => {
    const first = await record({});
    expect(first.errors).toBeUndefined();
    expect(first.data?.recordBirth.alreadyRecorded).toBe(false);
    const [parent] = await system.subgraphs.family.db.query<{ parent_id: string }>('SELECT parent_id FROM parentage WHERE child_id = $1', [event.childId]);
    expect(parent?.parent_id).toBe(event.motherId);
    expect((await record({})).data?.recordBirth.alreadyRecorded).toBe(true);
    const strangerAsChild = await system.subgraphs.family.db.query('SELECT 1 FROM parentage WHERE child_id = $1 AND parent_id = $2', [single.id, mother.id]);
    expect(strangerAsChild).toEqual([]);
  });
});

describe('quiet operational surfaces', () => {
  it('metric labels never carry a personal code, nor an unresolved operation name', async () => {
    await system.query({ ...asMother, query: `query Kadri${mother.id} { me { givenName } }` });
    await system.query({ ...asMother, query: 'query A { me { givenName } }', operationName: `Lookup${single.id}` });
    const gateway = await (await fetch(system.gateway.url.replace('/graphql', '/metrics'))).text();
    const subgraph = await (await fetch(system.subgraphs.identity.url.replace('/graphql', '/metrics'))).text();
    for (const text of [gateway, subgraph]) {
      expect(text).not.toContain(mother.id);
      expect(text).not.toContain(single.id);
    }
  });

  it('no X-Powered-By, and JSON errors, on the gateway and every subgraph', async () => {
    const urls = [system.gateway.url, ...Object.values(system.subgraphs).map((s) => s.url)];
    for (const url of urls) {
      for (const response of [
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }),
        await fetch(url.replace('/graphql', '/no-such-page')),
        await fetch(url.replace('/graphql', '/health')),
      ]) {
        expect(response.headers.get('x-powered-by'), url).toBeNull();
        expect(response.headers.get('content-type'), `${url} ${response.status}`).toMatch(/json/);
        const text = await response.text();
        expect(text).not.toMatch(/<html|<pre>|\bat .+\.(ts|js):\d+/i);
      }
    }
  });
});

describe('the README names every code', () => {
  it("lists every code a client can get in its error table", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Demo personas'));
    // Kept by maskError should some code raise them, but nothing here does.
    const neverSent = new Set(['FORBIDDEN', 'PERSISTED_QUERY_NOT_SUPPORTED']);
    const sent = [...CLIENT_CODES, 'INTERNAL_SERVER_ERROR', 'PORTAL_NOT_BUILT'].filter((code) => !neverSent.has(code));
    expect(sent.filter((code) => !table.includes(`\`${code}\``))).toEqual([]);
  });
});
