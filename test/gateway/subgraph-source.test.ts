/**
 * The gateway side of the body-bound context token (gateway/subgraph-source.ts), without a network: what leaves
 * through the fetcher for each call, and what the fetcher does with a missing, unknown, foreign or reused handle.
 */
import { generateKeyPair, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { bodyDigest, CONTEXT_HEADER, replayGuard, verifyContext, type CallerContext } from '../../platform/context-token.ts';
import { SignedSubgraphSource } from '../../gateway/subgraph-source.ts';
import type { SubgraphFetcher } from '../../gateway/subgraph-fetcher.ts';

// A process() call of no incoming operation (its kind does not matter to the signing).
const HEALTH_CHECK = 'health check';
const caller: CallerContext = { actor: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'substantial', caseRef: 'C-1', requestId: 'req-1', scope: { represented: [], any: true } };
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
beforeAll(async () => {
  keys = await generateKeyPair('EdDSA');
});

type Sent = { url: string; headers: Record<string, string>; body: string };
function capturing(delayMs = 0) {
  const sent: Sent[] = [];
  const fetcher: SubgraphFetcher = {
    async fetch(url, init) {
      sent.push({ url, headers: { ...(init?.headers as Record<string, string>) }, body: init?.body as string });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return { ok: true, status: 200, headers: { get: (n: string) => (n.toLowerCase() === 'content-type' ? 'application/json' : null), has: () => true }, json: async () => ({ data: { ok: true } }), text: async () => '{"data":{"ok":true}}' } as never;
    },
    close: async () => {},
  };
  return { sent, fetcher };
}
const source = (name: string, fetcher: SubgraphFetcher) => new SignedSubgraphSource({ name, url: `http://${name}.invalid/graphql` }, keys.privateKey, fetcher, undefined, 'pol-1');
const run = (s: SignedSubgraphSource, variables: Record<string, unknown>, context: object = { caller, strict: false }) =>
  s.process({ kind: HEALTH_CHECK, request: { query: 'query($v: String) { f(v: $v) }', variables }, context } as never);

/** The fetcher throws synchronously (signed() runs before the fetch): either way RemoteGraphQLDataSource's try catches it. */
const attempt = async (call: () => unknown) => call();

describe('SignedSubgraphSource: what leaves the gateway', () => {
  it('signs the exact body it sends, and the subgraph-side check accepts it', async () => {
    const { sent, fetcher } = capturing();
    await run(source('identity', fetcher), { v: 'Jõgeva ё 🙂 \u2028 "q" \\ \u0000' });
    expect(sent).toHaveLength(1);
    const token = sent[0]!.headers[CONTEXT_HEADER]!;
    expect(token.split('.')).toHaveLength(3);
    expect(verifyContext(token, 'identity', keys.publicKey, { bodyDigest: bodyDigest(Buffer.from(sent[0]!.body, 'utf8')), policyDigest: 'pol-1', firstUse: replayGuard() })).toEqual(caller);
  });

  it('a lone surrogate in a variable: the body is escaped JSON, so the string digest equals the UTF-8 bytes digest', async () => {
    const { sent, fetcher } = capturing();
    await run(source('identity', fetcher), { v: 'a\ud800b\udc00c' });
    expect(sent[0]!.body).toContain('\\ud800');
    expect(Buffer.from(sent[0]!.body, 'utf8').toString('utf8')).toBe(sent[0]!.body);
    const token = sent[0]!.headers[CONTEXT_HEADER]!;
    expect(verifyContext(token, 'identity', keys.publicKey, { bodyDigest: bodyDigest(Buffer.from(sent[0]!.body, 'utf8')), policyDigest: 'pol-1', firstUse: replayGuard() })).toEqual(caller);
  });

  it('500 parallel calls on one source: each its own handle, token and jti, each bound to its own body', async () => {
    const { sent, fetcher } = capturing(5);
    const s = source('identity', fetcher);
    await Promise.all(Array.from({ length: 500 }, (_, i) => run(s, { v: `call-${i}` })));
    expect(sent).toHaveLength(500);
    const firstUse = replayGuard();
    for (const call of sent) {
      const token = call.headers[CONTEXT_HEADER]!;
      expect(() => verifyContext(token, 'identity', keys.publicKey, { bodyDigest: bodyDigest(Buffer.from(call.body)), policyDigest: 'pol-1', firstUse })).not.toThrow();
    }
    expect(new Set(sent.map((c) => c.headers[CONTEXT_HEADER])).size).toBe(500);
  });

  it('without a caller no handle is set and nothing is signed (the subgraph answers "missing")', async () => {
    const { sent, fetcher } = capturing();
    await run(source('identity', fetcher), { v: 'x' }, {});
    expect(sent[0]!.headers[CONTEXT_HEADER]).toBeUndefined();
  });

  it('the fetcher, called directly: no handle passes unsigned; an unknown, foreign, reused handle or a non-string body is refused', async () => {
    const { sent, fetcher } = capturing();
    const identity = source('identity', fetcher);
    const tax = source('tax', fetcher);
    await identity.fetcher('http://identity.invalid/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(sent.at(-1)!.headers[CONTEXT_HEADER]).toBeUndefined();
    await expect(attempt(() => identity.fetcher('http://identity.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: crypto.randomUUID() }, body: '{}' }))).rejects.toThrow(/without its caller/);
    // A handle set by tax's willSendRequest, handed to identity's fetcher.
    let handle = '';
    const request = { query: '{ x }', variables: {}, http: { method: 'POST', url: '', headers: new Headers() } };
    await tax.willSendRequest!({ request, context: { caller, strict: false } } as never);
    handle = request.http.headers.get(CONTEXT_HEADER)!;
    await expect(attempt(() => identity.fetcher('http://identity.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: handle }, body: '{}' }))).rejects.toThrow(/without its caller/);
    // Still usable by tax once, then not again.
    await tax.fetcher('http://tax.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: handle }, body: '{}' });
    expect(sent.at(-1)!.headers[CONTEXT_HEADER]!.split('.')).toHaveLength(3);
    await expect(attempt(() => tax.fetcher('http://tax.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: handle }, body: '{}' }))).rejects.toThrow(/without its caller/);
    await tax.willSendRequest!({ request, context: { caller, strict: false } } as never);
    await expect(attempt(() => tax.fetcher('http://tax.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: request.http.headers.get(CONTEXT_HEADER)! }, body: Buffer.from('{}') as never }))).rejects.toThrow(/without its caller/);
  });

  it('handles of calls that never reached the fetcher are forgotten oldest first, past 10,000 waiting', async () => {
    const { sent, fetcher } = capturing();
    const identity = source('identity', fetcher);
    const handleOf = async () => {
      const request = { query: '{ x }', variables: {}, http: { method: 'POST', url: '', headers: new Headers() } };
      await identity.willSendRequest!({ request, context: { caller, strict: false } } as never);
      return request.http.headers.get(CONTEXT_HEADER)!;
    };
    const first = await handleOf();
    const second = await handleOf();
    for (let i = 0; i < 9_998; i++) await handleOf();
    const last = await handleOf(); // the 10,001st: the first is dropped, the second is the oldest kept
    const send = (handle: string) => attempt(() => identity.fetcher('http://identity.invalid/graphql', { method: 'POST', headers: { [CONTEXT_HEADER]: handle }, body: '{}' }));
    await expect(send(first)).rejects.toThrow(/without its caller/);
    await send(second);
    await send(last);
    expect(sent.map((c) => c.headers[CONTEXT_HEADER]!.split('.').length)).toEqual([3, 3]);
  });
});
