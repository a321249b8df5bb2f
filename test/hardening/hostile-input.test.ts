/**
 * Hostile input at the gateway: every request gets a clear error with a
 * stable code, the process stays up, and nothing personal comes back.
 * Runs against the development gateway (as tests start it) and against a
 * second gateway configured as in production over the same subgraphs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../gateway/hardening/safelist.ts';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { TOKEN_AUDIENCE } from '../../identity-provider/server.ts';
import { personaByRole } from '../../seed/personas.ts';
import { AGENCY_NAMES, type AgencyName } from '../../platform/topology.ts';
import { DEFAULT_LIMITS, hardeningDefaults } from '../../platform/config.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');
const portal = { sub: mother.id, client: 'citizen-portal' };

interface Raw {
  status: number;
  text: string;
  body?: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

let system: TestSystem;
let production: RunningGateway;
let tokenOfMother: string;
let safelistDir: string;
const SAFE_OPERATION = 'query PortalName { me { givenName } }';

beforeAll(async () => {
  system = await startTestSystem();
  tokenOfMother = await system.token(mother.id, 'citizen-portal');
  safelistDir = mkdtempSync(join(tmpdir(), 'citizen-graph-safelist-'));
  const manifest = join(safelistDir, 'portal.json');
  writeFileSync(manifest, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256(SAFE_OPERATION), name: 'PortalName', type: 'query', body: SAFE_OPERATION }] }));
  // A second gateway configured as in production (no introspection, no suggestions, the portal locked to its manifest).
  production = await startGateway({
    port: 0,
    policy: system.policy,
    subgraphUrls: Object.fromEntries(AGENCY_NAMES.map((name) => [name, system.subgraphs[name].url])) as Record<AgencyName, string>,
    contextSigningKey: system.contextSigningKey,
    auth: system.gatewayAuth,
    hardening: { ...hardeningDefaults(true), safelists: { 'citizen-portal': manifest } },
  });
});
afterAll(async () => {
  await production?.close();
  await system?.close();
  if (safelistDir) rmSync(safelistDir, { recursive: true, force: true });
});

async function send(init: { url?: string; method?: string; body?: string; contentType?: string | null; token?: string | null; purpose?: string; headers?: Record<string, string>; query?: string }): Promise<Raw> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.contentType !== null) headers['content-type'] = init.contentType ?? 'application/json';
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? tokenOfMother}`;
  headers['x-purpose'] = init.purpose ?? 'self-service';
  const url = new URL(init.url ?? system.gateway.url);
  if (init.query) url.searchParams.set('query', init.query);
  const response = await fetch(url, { method: init.method ?? 'POST', headers, body: init.body });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

const op = (query: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...extra });
const codes = (r: Raw) => (r.body?.errors ?? []).map((e) => e.extensions?.code);

/** Refused as a whole: 4xx, a coded error, no data, no stack trace, no internals. */
function expectRefused(r: Raw, code: string, status?: number) {
  expect(r.body, `not JSON: ${r.text.slice(0, 200)}`).toBeDefined();
  if (status) expect(r.status).toBe(status);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(codes(r)).toContain(code);
  expect(r.body?.data ?? null).toBeNull();
  expectNoInternals(r);
}

function expectNoInternals(r: Raw) {
  expect(r.text).not.toMatch(/stacktrace|\bat .+\.(ts|js):\d+|node_modules|ECONNREFUSED|postgres/i);
}

function nested(depth: number): string {
  let selection = 'givenName';
  for (let i = 0; i < depth; i++) selection = `children { ${selection} }`;
  return `{ me { ${selection} } }`;
}

/** A small document whose fragments multiply: each of five levels spreads the one below ten times (10^4 × 5 fields). */
function fragmentBomb(operationName = 'Bomb', fragmentName = 'F0'): string {
  const levels = ['fragment F5 on Citizen { givenName familyName dateOfBirth sex citizenship }'];
  for (let level = 4; level >= 1; level--) levels.push(`fragment F${level} on Citizen { children { ${`...F${level + 1} `.repeat(10)}} }`);
  levels.push(`fragment ${fragmentName} on Citizen { ${'...F1 '.repeat(10)}}`);
  return `query ${operationName} { me { ...${fragmentName} } } ${levels.join(' ')}`;
}

describe('operation shape limits (graphql-armor)', () => {
  it('refuses deep nesting beyond the depth limit, accepts it below', async () => {
    expectRefused(await send({ body: op(nested(DEFAULT_LIMITS.maxDepth + 3)) }), 'GRAPHQL_VALIDATION_FAILED', 400);
    const shallow = await send({ body: op(nested(2)) });
    expect(shallow.status).toBe(200);
    expect(codes(shallow)).not.toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses alias floods', async () => {
    const aliases = Array.from({ length: DEFAULT_LIMITS.maxAliases + 20 }, (_, i) => `a${i}: givenName`).join(' ');
    expectRefused(await send({ body: op(`{ me { ${aliases} } }`) }), 'GRAPHQL_VALIDATION_FAILED', 400);
  });

  it('refuses directive floods', async () => {
    const directives = ' @include(if: true)'.repeat(DEFAULT_LIMITS.maxDirectives + 10);
    expectRefused(await send({ body: op(`{ me { givenName${directives} } }`) }), 'GRAPHQL_VALIDATION_FAILED', 400);
  });

  it('refuses token floods', async () => {
    const fields = 'givenName '.repeat(DEFAULT_LIMITS.maxTokens + 100);
    const r = await send({ body: op(`{ me { ${fields} } }`) });
    expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(codes(r)[0]);
    expectRefused(r, codes(r)[0] as string, 400);
  });

  it('refuses operations over the cost limit, including the __schema-named operation and fragment bypass (GHSA-733v-p3h5-qpq7)', async () => {
    for (const query of [fragmentBomb(), fragmentBomb('__schema'), fragmentBomb('Bomb', '__schema'), fragmentBomb('__schema', '__schema')]) {
      const r = await send({ body: op(query) });
      expectRefused(r, 'GRAPHQL_VALIDATION_FAILED', 400);
      expect(r.body?.errors?.[0]?.message).toMatch(/cost/i);
    }
  });

  it('refuses fragment cycles', async () => {
    const query = '{ me { ...A } } fragment A on Citizen { children { ...B } } fragment B on Citizen { parents { ...A } }';
    expectRefused(await send({ body: op(query) }), 'GRAPHQL_VALIDATION_FAILED', 400);
  });
});

describe('HTTP layer', () => {
  it('refuses batched operation arrays', async () => {
    expectRefused(await send({ body: JSON.stringify([{ query: '{ me { givenName } }' }, { query: '{ me { familyName } }' }]) }), 'BAD_REQUEST', 400);
  });

  it('refuses bodies over the size limit, and huge strings within it get a coded answer without data', async () => {
    const huge = 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes + 10);
    expectRefused(await send({ body: op('query ($id: ID!) { citizen(id: $id) { givenName } }', { variables: { id: huge } }) }), 'BAD_REQUEST', 413);
    const large = 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes / 2);
    const r = await send({ body: op('query ($id: ID!) { citizen(id: $id) { givenName } }', { variables: { id: large } }) });
    expect(r.status).toBeLessThan(500);
    expect((r.body?.data as { citizen?: unknown } | null)?.citizen ?? null).toBeNull();
    expect(codes(r).length).toBeGreaterThan(0);
    expectNoInternals(r);
  });

  it('refuses malformed JSON and bodies that are not an operation object', async () => {
    expectRefused(await send({ body: '{"query": "{ me { givenName } }"' }), 'BAD_REQUEST', 400);
    expectRefused(await send({ body: '"{ me { givenName } }"' }), 'BAD_REQUEST', 400);
  });

  it('refuses content types a browser may send cross-site without preflight (CSRF)', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
      expectRefused(await send({ body: op('{ me { givenName } }'), contentType }), 'BAD_REQUEST', 415);
    }
  });

  it('refuses mutations over GET', async () => {
    const mutation = 'mutation { registerBirth(input: { motherId: "1", dateOfBirth: "2024-01-01", givenName: "X", familyName: "Y", sex: F }) { id } }';
    const r = await send({ method: 'GET', contentType: null, query: mutation, headers: { 'apollo-require-preflight': 'true' } });
    expect(r.status).toBe(405);
    expect(codes(r)[0]).toBeDefined();
    expect(r.body?.data ?? null).toBeNull();
  });

  it('refuses GET without a preflight-forcing header (CSRF prevention)', async () => {
    const r = await send({ method: 'GET', contentType: null, query: '{ me { givenName } }' });
    expect(r.status).toBe(400);
    expect(r.body?.data ?? null).toBeNull();
  });
});

describe('identity and purpose', () => {
  it('UNAUTHENTICATED for forged, alg:none, expired and garbage tokens', async () => {
    const forgedKey = (await generateKeyPair('EdDSA')).privateKey;
    const forged = await new SignJWT({ client_id: 'citizen-portal', acr: 'high' })
      .setProtectedHeader({ alg: 'EdDSA' }).setSubject(mother.id).setIssuer(system.identityProvider.issuer).setAudience(TOKEN_AUDIENCE).setExpirationTime('1h').sign(forgedKey);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ sub: mother.id, client_id: 'citizen-portal', iss: system.identityProvider.issuer, aud: TOKEN_AUDIENCE, exp: 4102444800 })).toString('base64url');
    const expired = await system.devIssuer.issue({ sub: mother.id, client: 'citizen-portal', lifetimeSeconds: -60 });
    for (const token of [forged, `${header}.${claims}.`, expired, 'not-a-jwt', 'a'.repeat(5000)]) {
      expectRefused(await send({ body: op('{ me { givenName } }'), token }), 'UNAUTHENTICATED', 401);
    }
    expectRefused(await send({ body: op('{ me { givenName } }'), token: null }), 'UNAUTHENTICATED', 401);
  });

  it('PURPOSE_NOT_ALLOWED for unknown and hostile purposes', async () => {
    for (const purpose of ['curiosity', 'x'.repeat(2000), '../../etc/passwd', '__proto__', 'constructor']) {
      expectRefused(await send({ body: op('{ me { givenName } }'), purpose }), 'PURPOSE_NOT_ALLOWED');
    }
  });

  it("another citizen's id: denied, no data", async () => {
    const r = await send({ body: op(`{ citizen(id: "${single.id}") { givenName familyName annualIncome } }`) });
    expect(codes(r)).toContain('UNAUTHORIZED_FIELD_OR_TYPE');
    expect((r.body?.data as { citizen?: unknown } | null)?.citizen ?? null).toBeNull();
    expectNoInternals(r);
  });
});

describe('production configuration', () => {
  it('introspection is refused in production (also when hidden in a fragment), allowed in development', async () => {
    // A citizen through the explorer (self-service is no staff purpose: staff are refused it).
    const explorer = await system.token(mother.id, 'graph-explorer');
    for (const query of ['{ __schema { types { name } } }', '{ ...I } fragment I on Query { __type(name: "Citizen") { fields { name } } }', 'query __schema { __schema { queryType { name } } }']) {
      const r = await send({ url: production.url, body: op(query), token: explorer, purpose: 'self-service' });
      expectRefused(r, 'GRAPHQL_VALIDATION_FAILED', 400);
      expect(r.text).not.toContain('Citizen"');
    }
    const dev = await send({ body: op('{ __schema { queryType { name } } }'), token: explorer, purpose: 'self-service' });
    expect(dev.status).toBe(200);
    expect(dev.body?.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('no field suggestions in production', async () => {
    const explorer = await system.token(mother.id, 'graph-explorer');
    const r = await send({ url: production.url, body: op('{ me { givenNam } }'), token: explorer });
    expectRefused(r, 'GRAPHQL_VALIDATION_FAILED', 400);
    expect(r.text).not.toMatch(/did you mean/i);
    const dev = await send({ body: op('{ me { givenNam } }') });
    expect(dev.text).toMatch(/did you mean/i);
  });

  it('a client locked to its persisted operations runs only those (Apollo codes)', async () => {
    const byText = await send({ url: production.url, body: op(SAFE_OPERATION) });
    expect(byText.status).toBe(200);
    expect((byText.body?.data as { me: { givenName: string } }).me.givenName).toBeTruthy();
    const byId = await send({ url: production.url, body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(SAFE_OPERATION) } } }) });
    expect(byId.body?.data).toEqual(byText.body?.data);
    expectRefused(await send({ url: production.url, body: op('{ me { givenName familyName } }') }), 'PERSISTED_QUERY_NOT_IN_LIST', 400);
    expectRefused(await send({ url: production.url, body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }) }), 'PERSISTED_QUERY_NOT_FOUND', 400);
    // Other clients are not locked.
    const explorer = await system.token(mother.id, 'graph-explorer');
    const free = await send({ url: production.url, body: op('{ me { familyName } }'), token: explorer });
    expect(free.status).toBe(200);
  });
});

describe('after all of the above', () => {
  it('the gateway is up and answers normally', async () => {
    const health = await fetch(system.gateway.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
    const r = await system.query<{ me: { givenName: string } }>({ query: '{ me { givenName } }', as: portal, purpose: 'self-service' });
    expect(r.errors).toBeUndefined();
    expect(r.data?.me.givenName).toBeTruthy();
  });

  it('refusals are counted per purpose and code in /metrics', async () => {
    const text = await (await fetch(system.gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/citizen_graph_denials_total\{purpose="curiosity",code="PURPOSE_NOT_ALLOWED"\} [1-9]/);
    expect(text).toMatch(/citizen_graph_denials_total\{purpose="self-service",code="UNAUTHENTICATED"\} [1-9]/);
    expect(text).toMatch(/citizen_graph_request_duration_seconds_bucket\{le="[0-9.]+",service="gateway",operation="PortalName"\}/);
  });

  it('a flood of made-up operation names and purposes cannot grow the metrics without bound', async () => {
    const token = await system.token(portal.sub, portal.client);
    const seriesCount = async () => {
      const text = await (await fetch(system.gateway.url.replace('/graphql', '/metrics'))).text();
      return text.split('\n').filter((l) => l.startsWith('citizen_graph_requests_total{') || l.startsWith('citizen_graph_denials_total{')).length;
    };
    const before = await seriesCount();
    for (let i = 0; i < 300; i += 1) {
      await system.query({ query: `query Flood${i} { me { givenName } }`, token, purpose: 'self-service' });
      await system.query({ query: '{ me { givenName } }', token, purpose: `made-up-${i}` });
    }
    const text = await (await fetch(system.gateway.url.replace('/graphql', '/metrics'))).text();
    // 2 labels (operation, purpose) x 200 values at most, whatever the attacker sends.
    expect((await seriesCount()) - before).toBeLessThanOrEqual(400);
    expect(text).toContain('operation="other"');
    expect(text).toMatch(/citizen_graph_denials_total\{purpose="other",code="PURPOSE_NOT_ALLOWED"\} [1-9]/);
  });
});
