import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signContext, verifyContext, type CallerContext } from '../../platform/context-token.ts';

const context: CallerContext = { actor: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'substantial', caseRef: 'C-1', requestId: 'req-1', scope: { represented: [], any: true } };
const now = () => Math.floor(Date.now() / 1000);
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
let other: { publicKey: CryptoKey; privateKey: CryptoKey };

const handMade = (claims: { iat?: number; exp?: number; aud?: string; iss?: string }, key = keys.privateKey) => {
  let jwt = new SignJWT({ ctx: context }).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(claims.iss ?? 'citizen-graph-gateway').setAudience(claims.aud ?? 'tax');
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
};
const reason = (token: string | undefined, audience = 'tax', key = keys.publicKey) => {
  try {
    verifyContext(token, audience, key);
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
    const token = signContext(context, 'tax', keys.privateKey);
    expect(verifyContext(token, 'tax', keys.publicKey)).toEqual(context);
    // Any JOSE implementation reads it: the subgraphs could verify with another library.
    const { payload } = await jwtVerify(token, keys.publicKey, { issuer: 'citizen-graph-gateway', audience: 'tax', algorithms: ['EdDSA'] });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('is refused by another subgraph, under another key, tampered with, or unsigned', () => {
    const token = signContext(context, 'tax', keys.privateKey);
    expect(reason(token, 'identity')).toBe('invalid');
    expect(reason(token, 'tax', other.publicKey)).toBe('invalid');
    expect(reason(signContext(context, 'tax', other.privateKey))).toBe('invalid');
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
});
