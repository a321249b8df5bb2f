/**
 * The gateway's plain JSON calls reach Apollo Server without Express
 * (graphql-route.ts); everything else still goes through Express. The direct
 * path must answer exactly as Express did: each request below is sent once as
 * the gateway sends it (direct path) and once with a content type only
 * Express takes (`application/json; v=1`, which express.json() reads alike),
 * and both answers must be the same.
 */
import type { IncomingMessage } from 'node:http';
import { generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { policyDigest } from '../../permissions/digest.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { CONTEXT_HEADER, signContext, type CallerContext } from '../../platform/context-token.ts';
import { personaByRole } from '../../seed/personas.ts';
import { AGENCIES } from '../../subgraphs/index.ts';
import { isPlainGraphQLPost } from '../../subgraphs/kit/graphql-route.ts';
import { startSubgraph, type RunningService } from '../../subgraphs/kit/server.ts';

const policy = loadPolicy();
const mother = personaByRole('newborn-mother');
const caller: CallerContext = { actor: mother.id, client: 'citizen-portal', purpose: 'self-service', acr: 'substantial', requestId: 'route-test', scope: { self: mother.id, represented: [], any: false } };
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
let identity: RunningService;

beforeAll(async () => {
  keys = await generateKeyPair('EdDSA');
  identity = await startSubgraph(AGENCIES.identity, { port: 0, databaseUrl: inject('databases').identity, policy, contextKey: keys.publicKey });
});
afterAll(async () => identity?.close());

interface Sent { method?: string; path?: string; body?: string; token?: boolean | string; headers?: Record<string, string> }

async function send(contentType: string, { method = 'POST', path = '/graphql', body, token = true, headers = {} }: Sent) {
  const call = body === undefined ? undefined : (() => { try { return JSON.parse(body) as { query?: string; variables?: Record<string, unknown> }; } catch { return undefined; } })();
  const signed = token === true ? signContext(caller, 'identity', keys.privateKey, { query: call?.query ?? '', variables: call?.variables ?? null, policyDigest: policyDigest(policy) }) : token || undefined;
  const response = await fetch(new URL(path, identity.url), {
    method,
    headers: { 'content-type': contentType, ...(signed ? { [CONTEXT_HEADER]: signed } : {}), ...headers },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

const me = JSON.stringify({ query: `{ citizen(id: "${mother.id}") { givenName dateOfBirth } }` });

const cases: [string, Sent][] = [
  ['a signed call', { body: me }],
  ['a signed call refused by the shield (another person)', { body: JSON.stringify({ query: `{ citizen(id: "${personaByRole('single-parent').id}") { givenName } }` }) }],
  ['an unsigned call', { body: me, token: false }],
  ['a forged context token', { body: me, token: 'a.b.c' }],
  ['a query string too', { body: me, path: '/graphql?debug=1' }],
  ['malformed JSON', { body: '{"query": ', token: false }],
  ['JSON that is neither object nor array', { body: '"{ __typename }"', token: false }],
  ['JSON with a byte-order mark', { body: `\uFEFF${me}` }],
  ['an empty body', { body: '', token: false }],
  ['a batch (an array)', { body: `[${me}]` }],
  ['a body over the 2 MB limit', { body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }), token: false }],
  ['an operation that is not a query string', { body: JSON.stringify({ query: 42 }), token: false }],
];

describe("the subgraph's direct path for the gateway's calls", () => {
  it.each(cases)('answers %s as Express does', async (_name, sent) => {
    const direct = await send('application/json', sent);
    const express = await send('application/json; v=1', sent);
    expect(direct).toEqual(express);
    expect(direct.status).not.toBe(500);
  });

  it('answers as expected where it matters: data for a signed call, 401 unsigned, 400 and 413 for bad bodies', async () => {
    const ok = await send('application/json', { body: me });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ data: { citizen: { givenName: expect.any(String), dateOfBirth: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) } } });
    expect((await send('application/json', { body: me, token: false })).status).toBe(401);
    const malformed = await send('application/json', { body: '{"query": ', token: false });
    expect([malformed.status, JSON.parse(malformed.body)]).toEqual([400, { errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }]);
    expect((await send('application/json', cases.find(([name]) => name.includes('2 MB'))![1])).status).toBe(413);
  });

  it('takes only plain JSON POSTs to /graphql with a body; Express keeps the rest', () => {
    const request = (method: string, url: string, headers: Record<string, string>) => ({ method, url, headers }) as unknown as IncomingMessage;
    const json = { 'content-type': 'application/json', 'content-length': '10' };
    expect(isPlainGraphQLPost(request('POST', '/graphql', json))).toBe(true);
    expect(isPlainGraphQLPost(request('POST', '/graphql?x=1', json))).toBe(true);
    expect(isPlainGraphQLPost(request('POST', '/graphql', { ...json, 'content-type': 'application/json; charset=utf-8' }))).toBe(true);
    expect(isPlainGraphQLPost(request('POST', '/graphql', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }))).toBe(true);
    for (const [method, url, headers] of [
      ['GET', '/graphql', json],
      ['POST', '/graphql/', json],
      ['POST', '/GraphQL', json],
      ['POST', '/health', json],
      ['POST', '/graphql', { ...json, 'content-type': 'application/json; charset=latin1' }],
      ['POST', '/graphql', { ...json, 'content-type': 'application/json; v=1' }],
      ['POST', '/graphql', { ...json, 'content-type': 'text/plain' }],
      ['POST', '/graphql', { ...json, 'content-encoding': 'gzip' }],
      ['POST', '/graphql', { 'content-type': 'application/json' }],
    ] as const) {
      expect(isPlainGraphQLPost(request(method, url, headers)), `${method} ${url} ${JSON.stringify(headers)}`).toBe(false);
    }
  });

  it('leaves GET, other paths and other content types to Express, as before', async () => {
    // A GET reaches Apollo Server through Express: refused for want of a context token, as any unsigned call.
    const get = await send('application/json', { method: 'GET', path: '/graphql?query=%7B__typename%7D', token: false });
    expect([get.status, JSON.parse(get.body).errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    const notFound = await send('application/json', { path: '/nothing', body: me });
    expect([notFound.status, JSON.parse(notFound.body).errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    expect((await send('text/plain', { body: me, token: false })).status).toBe(400);
  });
});
