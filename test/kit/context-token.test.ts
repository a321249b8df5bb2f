import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { bodyDigest, keyId, replayGuard, signContext, verifyContext, type CallerContext, type ExpectedCall } from '../../platform/context-token.ts';

const context: CallerContext = { actor: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'substantial', caseRef: 'C-1', requestId: 'req-1', scope: { represented: [], any: true } };
const now = () => Math.floor(Date.now() / 1000);
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
let other: { publicKey: CryptoKey; privateKey: CryptoKey };

const handMade = (claims: { iat?: number; exp?: number; aud?: string; iss?: string }, key = keys.privateKey) => {
  let jwt = new SignJWT({ ctx: context, jti: 'hand-made', opd: bodyDigest(call.body), pol: call.policyDigest }).setProtectedHeader({ alg: 'EdDSA', kid: keyId(key) }).setIssuer(claims.iss ?? 'citizen-graph-gateway').setAudience(claims.aud ?? 'tax');
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
};
const call = { body: JSON.stringify({ query: '{ me { id } }' }), policyDigest: 'policy-1' };
const reason = (token: string | undefined, audience = 'tax', key = keys.publicKey, expected?: ExpectedCall) => {
  try {
    verifyContext(token, audience, key, expected);
    return 'accepted';
  } catch (error) {
    return (error as { reason?: string }).reason ?? 'thrown';
  }
};

beforeAll(async () => {
  keys = await generateKeyPair('EdDSA');
  other = await generateKeyPair('EdDSA');
});

describe('the signed subgraph context', () => {
  it('round-trips the caller for the audience it was signed for, as a standard EdDSA JWT', async () => {
    const token = signContext(context, 'tax', keys.privateKey, call);
    expect(verifyContext(token, 'tax', keys.publicKey)).toEqual(context);
    // Any JOSE implementation reads it: the subgraphs could verify with another library.
    const { payload } = await jwtVerify(token, keys.publicKey, { issuer: 'citizen-graph-gateway', audience: 'tax', algorithms: ['EdDSA'] });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('is refused by another subgraph, under another key, tampered with, or unsigned', () => {
    const token = signContext(context, 'tax', keys.privateKey, call);
    expect(reason(token, 'identity')).toBe('invalid');
    expect(reason(token, 'tax', other.publicKey)).toBe('unknown-key');
    expect(reason(signContext(context, 'tax', other.privateKey, call))).toBe('unknown-key');
    const [header, payload, signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ctx: { ...context, purpose: 'fraud-investigation' } })).toString('base64url');
    expect(reason(`${header}.${widened}.${signature}`)).toBe('invalid');
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(reason(`${none}.${payload}.`)).toBe('invalid');
    expect(reason('garbage')).toBe('invalid');
    expect(reason(undefined)).toBe('missing');
  });

  it('is refused once expired, when issued over a minute ago, or without the time claims', async () => {
    expect(reason(await handMade({ iat: now() - 600, exp: now() - 300 }))).toBe('expired');
    // A token that claims a long life is still only good for a minute after it was issued.
    expect(reason(await handMade({ iat: now() - 120, exp: now() + 600 }))).toBe('expired');
    expect(reason(await handMade({ exp: now() + 30 }))).toBe('invalid');
    expect(reason(await handMade({ iat: now() }))).toBe('invalid');
    expect(reason(await handMade({ iat: now(), exp: now() + 30, iss: 'someone-else' }))).toBe('invalid');
    expect(reason(await handMade({ iat: now(), exp: now() + 30 }))).toBe('accepted');
  });

  it('is bound to its call: once only, for this very body, under this policy; keys chosen by kid', () => {
    const body = JSON.stringify({ query: '{ me { id } }', variables: { a: 1, b: [2] } });
    const expected = (overrides: Partial<ExpectedCall> = {}): ExpectedCall => ({ bodyDigest: bodyDigest(Buffer.from(body)), policyDigest: 'policy-1', firstUse: replayGuard(), ...overrides });
    const bound = () => signContext(context, 'tax', keys.privateKey, { body, policyDigest: 'policy-1' });
    const once = expected();
    const token = bound();
    expect(reason(token, 'tax', keys.publicKey, once)).toBe('accepted');
    expect(reason(token, 'tax', keys.publicKey, once)).toBe('replayed');
    // The subgraph digests the bytes it received: other variables, another operation, or the same ones spelt otherwise.
    for (const received of [{ query: '{ me { id } }', variables: { a: 2, b: [2] } }, { query: '{ me { id givenName } }', variables: { a: 1, b: [2] } }, { variables: { a: 1, b: [2] }, query: '{ me { id } }' }]) {
      expect(reason(bound(), 'tax', keys.publicKey, expected({ bodyDigest: bodyDigest(Buffer.from(JSON.stringify(received))) }))).toBe('other-call');
    }
    expect(reason(bound(), 'tax', keys.publicKey, expected({ bodyDigest: bodyDigest(Buffer.from(`${body} `)) }))).toBe('other-call');
    expect(reason(bound(), 'tax', keys.publicKey, expected({ policyDigest: 'policy-2' }))).toBe('other-policy');
    // A string digests as its UTF-8 bytes: the gateway's string and the subgraph's bytes agree beyond ASCII.
    expect(bodyDigest('{"q":"Jõgeva ё 🙂"}')).toBe(bodyDigest(Buffer.from('{"q":"Jõgeva ё 🙂"}', 'utf8')));
    // During a rotation a subgraph holds both public keys: tokens of either are accepted.
    expect(reason(signContext(context, 'tax', other.privateKey, { body, policyDigest: 'policy-1' }), 'tax', [keys.publicKey, other.publicKey] as never, expected())).toBe('accepted');
  });
});
