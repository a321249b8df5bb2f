import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../gateway/auth/authenticate.ts';

const expected = { issuer: 'test-issuer', audience: 'citizen-graph' };
let key: { publicKey: CryptoKey; privateKey: CryptoKey };

const token = (claims: { sub?: string; lifetimeSeconds?: number; audience?: string } = {}) =>
  new SignJWT({ client_id: 'citizen-portal', acr: 'substantial' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(claims.sub ?? 'citizen-1')
    .setIssuer(expected.issuer)
    .setAudience(claims.audience ?? expected.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.lifetimeSeconds ?? 3600))
    .sign(key.privateKey);
const outcome = (jwt: string, options = expected) =>
  authenticate(`Bearer ${jwt}`, key.publicKey, options).then(
    (identity) => identity.sub,
    (error: Error) => error.message,
  );

beforeAll(async () => {
  key = await generateKeyPair('EdDSA');
});

describe('bearer tokens verified once per token', () => {
  it('a remembered token still stops working when it expires', async () => {
    const shortLived = await token({ lifetimeSeconds: 2 });
    expect(await outcome(shortLived)).toBe('citizen-1');
    expect(await outcome(shortLived)).toBe('citizen-1');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await outcome(shortLived)).toBe('the token has expired');
  });

  it('a remembered token is not taken for another audience or issuer, and a changed byte is a new token', async () => {
    const jwt = await token();
    expect(await outcome(jwt)).toBe('citizen-1');
    expect(await outcome(jwt, { ...expected, audience: 'another-api' })).toBe('the token is not valid');
    expect(await outcome(jwt, { ...expected, issuer: 'another-issuer' })).toBe('the token is not valid');
    const [header, payload, signature] = jwt.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'citizen-2' })).toString('base64url');
    expect(await outcome(`${header}.${other}.${signature}`)).toBe('the token is not valid');
    expect(await outcome(await token({ audience: 'another-api' }))).toBe('the token is not valid');
  });
});
