import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../gateway/auth/authenticate.ts';

const expected = { issuer: 'test-issuer', audience: 'citizen-graph' };
let key: { publicKey: CryptoKey; privateKey: CryptoKey };

const token = (claims: { sub?: string; lifetimeSeconds?: number; audience?: string } = {}) =>
  new SignJWT({ client_id: 'citizen-portal', acr: 'substantial', actor: 'citizen' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(claims.sub ?? 'citizen-1')
    .setIssuer(expected.issuer)
    .setAudience(claims.audience ?? expected.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.lifetimeSeconds ?? 3600))
    .sign(key.privateKey);
const outcome = (jwt: string, options: Parameters<typeof authenticate>[2] = expected) =>
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

describe('token times (exp required, lifetime bounded per client, nothing from the future)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (times: { exp?: number; iat?: number; nbf?: number }, client = 'citizen-portal') => {
    let jwt = new SignJWT({ client_id: client, acr: 'substantial', actor: 'citizen', ...(times.nbf !== undefined ? { nbf: times.nbf } : {}) })
      .setProtectedHeader({ alg: 'EdDSA' }).setSubject('citizen-1').setIssuer(expected.issuer).setAudience(expected.audience);
    if (times.iat !== undefined) jwt = jwt.setIssuedAt(times.iat);
    if (times.exp !== undefined) jwt = jwt.setExpirationTime(times.exp);
    return jwt.sign(key.privateKey);
  };
  const lifetimes = { ...expected, maxLifetimeSeconds: (client: string) => (client === 'caseworker-app' ? 8 * 3600 : 3600) };

  it('refuses a token without exp', async () => {
    expect(await outcome(await signed({ iat: now() }), lifetimes)).toBe('the token has no expiry (exp)');
  });

  it('refuses a token valid for a hundred years, with or without iat', async () => {
    const century = now() + 100 * 365 * 86_400;
    expect(await outcome(await signed({ iat: now(), exp: century }), lifetimes)).toMatch(/valid for longer/);
    expect(await outcome(await signed({ exp: century }), lifetimes)).toMatch(/valid for longer/);
  });

  it('bounds the lifetime per client: what one client may hold, another may not', async () => {
    const sixHours = { iat: now(), exp: now() + 6 * 3600 };
    expect(await outcome(await signed(sixHours, 'caseworker-app'), lifetimes)).toBe('citizen-1');
    expect(await outcome(await signed(sixHours, 'citizen-portal'), lifetimes)).toMatch(/valid for longer/);
    expect(await outcome(await signed({ iat: now(), exp: now() + 3600 }, 'citizen-portal'), lifetimes)).toBe('citizen-1');
  });

  it('refuses iat or nbf in the future (beyond a small clock skew)', async () => {
    expect(await outcome(await signed({ iat: now() + 600, exp: now() + 900 }), lifetimes)).toMatch(/not valid yet \(iat/);
    expect(await outcome(await signed({ iat: now(), nbf: now() + 600, exp: now() + 900 }), lifetimes)).toMatch(/not valid|nbf/);
    expect(await outcome(await signed({ iat: now() + 5, exp: now() + 900 }), lifetimes)).toBe('citizen-1');
  });

  it('a remembered token is checked against the lifetime of the gateway asking', async () => {
    const eightHours = await signed({ iat: now(), exp: now() + 8 * 3600 }, 'caseworker-app');
    expect(await outcome(eightHours, lifetimes)).toBe('citizen-1');
    expect(await outcome(eightHours, { ...expected, maxLifetimeSeconds: () => 3600 })).toMatch(/valid for longer/);
  });
});
