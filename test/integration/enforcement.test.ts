/** Purpose enforcement at the gateway and, behind it, in every subgraph. */
import { request as httpRequest } from 'node:http';
import { today } from '../../platform/clock.ts';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generatePopulation } from '../../seed/generate.ts';
import { citizenPersonas, personaByRole } from '../../seed/personas.ts';
import { AGENCY_NAMES } from '../../platform/topology.ts';
import { CONTEXT_HEADER, signContext, type CallerContext } from '../../platform/context-token.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const caseworker = personaByRole('caseworker');
const portal = { sub: mother.id, client: 'citizen-portal' };

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.close());

const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

describe('request-level refusals', () => {
  it('UNAUTHENTICATED (401) without a token, with a forged one, an expired one and alg none', async () => {
    const forgedKey = (await generateKeyPair('EdDSA')).privateKey;
    const forged = await new SignJWT({ client_id: 'citizen-portal', acr: 'high' })
      .setProtectedHeader({ alg: 'EdDSA' }).setSubject(mother.id).setIssuer(system.identityProvider.issuer).setAudience('citizen-graph').setExpirationTime('1h').sign(forgedKey);
    const expired = await system.devIssuer.issue({ sub: mother.id, client: 'citizen-portal', lifetimeSeconds: -60 });
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ sub: mother.id, client_id: 'citizen-portal', iss: system.identityProvider.issuer, aud: 'citizen-graph', exp: 4102444800 })).toString('base64url');
    for (const token of [undefined, forged, expired, `${header}.${claims}.`]) {
      const result = await system.query({ query: '{ me { givenName } }', token, purpose: 'self-service' });
      expect(result.status).toBe(401);
      expect(codes(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.data ?? null).toBeNull();
    }
  });

  it('PURPOSE_NOT_ALLOWED for a missing, unknown, internal or not-permitted purpose, and for too low assurance', async () => {
    for (const purpose of [undefined, 'curiosity', 'representation-lookup', 'tax-assessment']) {
      const result = await system.query({ query: '{ me { givenName } }', as: portal, purpose });
      expect(codes(result)).toEqual(['PURPOSE_NOT_ALLOWED']);
      expect(result.data ?? null).toBeNull();
    }
    const low = await system.query({ query: '{ me { givenName } }', as: { ...portal, acr: 'low' }, purpose: 'self-service' });
    expect(codes(low)).toEqual(['PURPOSE_NOT_ALLOWED']);
  });

  it('CASE_REFERENCE_REQUIRED when a purpose reaching anyone has no case reference', async () => {
    const result = await system.query({ query: `{ citizen(id: "${single.id}") { givenName } }`, as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility' });
    expect(codes(result)).toEqual(['CASE_REFERENCE_REQUIRED']);
  });
});

describe('fields and subjects', () => {
  it('a caseworker sees children and income, not tax assessments (explicitly denied)', async () => {
    const result = await system.query<{ citizen: Record<string, unknown> }>({
      query: `{ citizen(id: "${single.id}") { givenName children { givenName dateOfBirth } annualIncome taxAssessments { year } } }`,
      as: { sub: caseworker.id, client: 'caseworker-app' },
      purpose: 'child-benefit-eligibility',
      caseRef: 'SKA-2026-0001',
    });
    expect(result.data?.citizen.givenName).toBe('Liis');
    expect((result.data?.citizen.children as unknown[]).length).toBeGreaterThan(0);
    expect(result.data?.citizen.annualIncome).toBeTypeOf('number');
    expect(result.data?.citizen.taxAssessments).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ['citizen', 'taxAssessments'],
      extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', purpose: 'child-benefit-eligibility', field: 'Citizen.taxAssessments', reason: 'EXPLICITLY_DENIED' },
    });
  });

  it('a citizen asking for another citizen by id gets null and an error, never the data', async () => {
    const result = await system.query<{ citizen: unknown }>({ query: `{ citizen(id: "${single.id}") { givenName annualIncome } }`, as: portal, purpose: 'self-service' });
    expect(result.data?.citizen).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'SUBJECT_OUT_OF_SCOPE' });
    expect(JSON.stringify(result)).not.toContain('Liis');
  });

  it('the same query with a variable, an alias or a fragment is judged the same', async () => {
    const variants = [
      { query: 'query($id: ID!) { citizen(id: $id) { givenName } }', variables: { id: single.id } },
      { query: `{ someone: citizen(id: "${single.id}") { name: givenName } }` },
      { query: `{ ...F } fragment F on Query { citizen(id: "${single.id}") { givenName } }` },
    ];
    for (const variant of variants) {
      const result = await system.query({ ...variant, as: portal, purpose: 'self-service' });
      expect(JSON.stringify(result.data)).not.toContain('Liis');
      expect(codes(result)).toContain('UNAUTHORIZED_FIELD_OR_TYPE');
    }
  });

  it('a citizen reads their own record, their minor children (represented) and only the code of their partner', async () => {
    const result = await system.query<{ me: { givenName: string; children: { givenName: string | null }[]; partner: { id: string; givenName: string | null; annualIncome: number | null } } }>({
      query: '{ me { givenName children { givenName } partner { id givenName annualIncome } } }',
      as: portal,
      purpose: 'self-service',
    });
    expect(result.data?.me.givenName).toBe('Kadri');
    expect(result.data?.me.children.every((c) => typeof c.givenName === 'string')).toBe(true);
    expect(result.data?.me.partner.id).toMatch(/^\d{11}$/);
    expect(result.data?.me.partner.givenName).toBeNull();
    expect(result.data?.me.partner.annualIncome).toBeNull();
    const denied = (result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.reason]);
    expect(denied).toEqual(expect.arrayContaining([['me.partner.givenName', 'SUBJECT_OUT_OF_SCOPE'], ['me.partner.annualIncome', 'SUBJECT_OUT_OF_SCOPE']]));
  });

  it('listing the population needs a purpose that reaches anyone', async () => {
    const result = await system.query<{ citizens: unknown }>({ query: '{ citizens(first: 5) { edges { node { id } } } }', as: portal, purpose: 'self-service' });
    expect(result.data?.citizens ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'Query.citizens', reason: 'SUBJECT_OUT_OF_SCOPE' });
  });

  it('@skip/@include: a skipped denied field is not reported, an included one is', async () => {
    const query = 'query($show: Boolean!) { citizen(id: "' + single.id + '") { givenName taxAssessments @include(if: $show) { year } } }';
    const call = { query, as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef: 'SKA-2026-0002' };
    expect((await system.query({ ...call, variables: { show: false } })).errors).toBeUndefined();
    expect(codes(await system.query({ ...call, variables: { show: true } }))).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });

  it('strict mode rejects the whole operation when any field is denied', async () => {
    const result = await system.query({
      query: `{ citizen(id: "${single.id}") { givenName taxAssessments { year } } }`,
      as: { sub: caseworker.id, client: 'caseworker-app' },
      purpose: 'child-benefit-eligibility',
      caseRef: 'SKA-2026-0003',
      headers: { 'x-policy-mode': 'strict' },
    });
    expect(result.status).toBe(403);
    expect(result.data ?? null).toBeNull();
    expect(codes(result)).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });

  it('clients cannot use the reserved response keys the gateway adds', async () => {
    const result = await system.query({ query: '{ me { _cgSubject: givenName } }', as: portal, purpose: 'self-service' });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('mutations', () => {
  const registerBirth = `mutation($input: RegisterBirthInput!) { registerBirth(input: $input) { id givenName } }`;
  const birth = { givenName: 'Mia', familyName: 'Tamm', dateOfBirth: today(), sex: 'F' };

  it('are refused to purposes that do not list them', async () => {
    const result = await system.query({ query: registerBirth, variables: { input: { ...birth, motherId: mother.id } }, as: portal, purpose: 'self-service' });
    expect(result.data?.registerBirth ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'Mutation.registerBirth', reason: 'NOT_GRANTED' });
  });

  it('run for a purpose that lists them, with input validated', async () => {
    const registrar = { sub: 'staff-0003', client: 'civil-registry' };
    // A mother who is not a persona (other tests compare the personas' families with the seed), found in the generator's output.
    const { citizens, seed, today } = inject('seed');
    const personaIds = new Set(citizenPersonas().map((p) => p.id));
    let adultWoman: { id: string } | undefined;
    for (const household of generatePopulation({ citizens, seed, today: new Date(`${today}T00:00:00Z`) })) {
      adultWoman = household.rows.citizen.find((c) => c.sex === 'F' && c.date_of_death === null && !personaIds.has(c.id) && c.date_of_birth > '1980-01-01' && c.date_of_birth < '2000-01-01');
      if (adultWoman) break;
    }
    expect(adultWoman).toBeDefined();
    const input = { ...birth, motherId: adultWoman!.id };
    const ok = await system.query<{ registerBirth: { id: string; givenName: string } }>({ query: registerBirth, variables: { input }, as: registrar, purpose: 'birth-registration', caseRef: 'BIRTH-2026-1' });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.registerBirth.givenName).toBe('Mia');
    expect(ok.data?.registerBirth.id).toMatch(/^6\d{10}$/);
    const future = await system.query({ query: registerBirth, variables: { input: { ...input, dateOfBirth: '2999-01-01' } }, as: registrar, purpose: 'birth-registration', caseRef: 'BIRTH-2026-2' });
    expect(codes(future)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('subgraphs trust only the gateway', () => {
  const entities = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id } } }', variables: { r: [{ __typename: 'Citizen', id: single.id }] } };
  const post = (url: string, headers: Record<string, string>, body: object = entities) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  const bound = (body: object) => ({ body: JSON.stringify(body), policyDigest: policyDigest(system.policy) });
  const context = (overrides: Partial<CallerContext> = {}): CallerContext => ({
    actor: caseworker.id, client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'substantial', caseRef: 'X-1', requestId: 'direct-test', scope: { represented: [], any: true }, ...overrides,
  });

  it('refuse calls without, with a forged, an expired or another subgraph\'s context token, returning no data', async () => {
    const otherKey = (await generateKeyPair('EdDSA')).privateKey;
    for (const name of AGENCY_NAMES) {
      const url = system.subgraphs[name].url;
      const expired = await new SignJWT({ ctx: context() }).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('citizen-graph-gateway').setAudience(name).setIssuedAt(Math.floor(Date.now() / 1000) - 600).setExpirationTime(Math.floor(Date.now() / 1000) - 300).sign(system.contextSigningKey);
      const wrongAudience = signContext(context(), name === 'tax' ? 'family' : 'tax', system.contextSigningKey, bound(entities));
      for (const headers of [{} as Record<string, string>, { [CONTEXT_HEADER]: signContext(context(), name, otherKey, bound(entities)) }, { [CONTEXT_HEADER]: expired }, { [CONTEXT_HEADER]: wrongAudience }, { [CONTEXT_HEADER]: 'garbage' }]) {
        const response = await post(url, headers);
        const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        expect(response.status).toBe(401);
        expect(body.data ?? null).toBeNull();
        expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('enforce the policy themselves with a valid token (shield), and still resolve entities under it', async () => {
    const tax = system.subgraphs.tax.url;
    const query = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id annualIncome taxAssessments { year } } } }', variables: { r: [{ __typename: 'Citizen', id: single.id }] } };
    const response = await post(tax, { [CONTEXT_HEADER]: signContext(context(), 'tax', system.contextSigningKey, bound(query)) }, query);
    const body = (await response.json()) as { data: { _entities: { id: string; annualIncome: number | null; taxAssessments: unknown }[] }; errors?: { path: unknown[]; extensions: { code: string } }[] };
    expect(body.data._entities[0]!.id).toBe(single.id);
    expect(body.data._entities[0]!.annualIncome).toBeTypeOf('number');
    expect(body.data._entities[0]!.taxAssessments).toBeNull();
    expect(body.errors?.map((e) => e.extensions.code)).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });

  it('refuse a replayed context token, one signed for another call or another policy, and one under an unknown key id', async () => {
    const identity = system.subgraphs.identity.url;
    const ask = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { givenName } } }', variables: { r: [{ __typename: 'Citizen', id: single.id }] } };
    const refusal = async (headers: Record<string, string>, body: object) => {
      const response = await post(identity, headers, body);
      const answer = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      return response.status === 200 && !answer.errors ? 'served' : `${response.status} ${answer.errors?.[0]?.message ?? ''}`;
    };
    const token = signContext(context(), 'identity', system.contextSigningKey, bound(ask));
    expect(await refusal({ [CONTEXT_HEADER]: token }, ask)).toBe('served');
    expect(await refusal({ [CONTEXT_HEADER]: token }, ask)).toMatch(/^401 .*replayed/);
    // The same token's claims for another citizen's record: altered variables are another call.
    const other = signContext(context(), 'identity', system.contextSigningKey, bound(ask));
    expect(await refusal({ [CONTEXT_HEADER]: other }, { ...ask, variables: { r: [{ __typename: 'Citizen', id: mother.id }] } })).toMatch(/^401 .*other-call/);
    expect(await refusal({ [CONTEXT_HEADER]: other }, { ...ask, query: ask.query.replace('givenName', 'givenName familyName') })).toMatch(/^401 .*other-call/);
    // Bound to the body byte for byte: the same call spelt otherwise (keys reordered, an operation name added) is another call.
    expect(await refusal({ [CONTEXT_HEADER]: other }, { variables: ask.variables, query: ask.query })).toMatch(/^401 .*other-call/);
    expect(await refusal({ [CONTEXT_HEADER]: other }, { ...ask, operationName: null })).toMatch(/^401 .*other-call/);
    expect(await refusal({ [CONTEXT_HEADER]: other }, ask)).toBe('served');
    const otherPolicy = signContext(context(), 'identity', system.contextSigningKey, { body: JSON.stringify(ask), policyDigest: 'a-policy-of-yesterday' });
    expect(await refusal({ [CONTEXT_HEADER]: otherPolicy }, ask)).toMatch(/^401 .*other-policy/);
    const rotated = signContext(context(), 'identity', (await generateKeyPair('EdDSA')).privateKey, bound(ask));
    expect(await refusal({ [CONTEXT_HEADER]: rotated }, ask)).toMatch(/^401 .*unknown-key/);
  });

  it('refuse the signed bytes read otherwise: in another charset, or as the body of a GET that runs its URL\'s query', async () => {
    const identity = new URL(system.subgraphs.identity.url);
    const send = (method: string, path: string, contentType: string, body: string, token: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        // node:http: fetch sends no body with a GET.
        const req = httpRequest({ host: identity.hostname, port: identity.port, method, path, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), [CONTEXT_HEADER]: token } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject).end(body);
      });
    const another = `{ citizen(id: \\"${single.id}\\") { givenName familyName } }`;
    // UTF-7 of text that closes the variables and opens another `query`: plain ASCII, so a client could send it as a
    // string; read as UTF-8 it is that string, read as UTF-7 it is a second operation (the last key wins).
    const utf7 = (text: string) => `+${Buffer.from(text, 'utf16le').swap16().toString('base64').replace(/=+$/, '')}-`;
    const body = JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { givenName } } }', variables: { r: [{ __typename: 'Citizen', id: `X${utf7(`"}]},"query":"${another}","z":{"r":[{"w":"`)}` }] } });
    const asSent = await send('POST', identity.pathname, 'application/json', body, signContext(context(), 'identity', system.contextSigningKey, bound(JSON.parse(body) as object)));
    expect(JSON.parse(asSent.text)).toEqual({ data: { _entities: [null] } });
    for (const charset of ['utf-7', 'utf-7-imap']) {
      const shifted = charset === 'utf-7-imap' ? body.replace('+', '&').replace(/\//g, ',') : body;
      const answer = await send('POST', identity.pathname, `application/json; charset=${charset}`, shifted, signContext(context(), 'identity', system.contextSigningKey, { body: shifted, policyDigest: policyDigest(system.policy) }));
      expect(answer.text).not.toContain('familyName');
      expect(answer.status, charset).toBe(401);
      expect((JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
    const plain = JSON.stringify(entities);
    const viaGet = await send('GET', `${identity.pathname}?query=${encodeURIComponent(another.replace(/\\"/g, '"'))}`, 'application/json', plain, signContext(context(), 'identity', system.contextSigningKey, { body: plain, policyDigest: policyDigest(system.policy) }));
    expect(viaGet.text).not.toContain('familyName');
    expect(viaGet.status).toBe(401);
  });

  it('apply the subject scope: a self-service token for one citizen reads nothing of another', async () => {
    const query = { query: `{ citizen(id: "${single.id}") { givenName } }` };
    const token = signContext(context({ actor: mother.id, client: 'citizen-portal', purpose: 'self-service', caseRef: undefined, scope: { self: mother.id, represented: [], any: false } }), 'identity', system.contextSigningKey, bound(query));
    const response = await post(system.subgraphs.identity.url, { [CONTEXT_HEADER]: token }, query);
    const body = (await response.json()) as { data: { citizen: unknown }; errors?: { extensions: { code: string } }[] };
    expect(body.data.citizen).toBeNull();
    expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
