/**
 * The development identity provider as a relying party meets it: discovery,
 * JWKS, the authorization code flow through its login page (no browser: the
 * page is a plain form), client credentials, and the dev shortcut.
 */
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveredKeySet } from '../../gateway/auth/authenticate.ts';
import { identityFromClaims } from '../../gateway/auth/identity-claims.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { devServiceCredentials, loadDevClients, loopbackRedirectAllowed } from '../../identity-provider/clients.ts';
import { startIdentityProvider, TOKEN_AUDIENCE, type RunningIdentityProvider } from '../../identity-provider/server.ts';
import { clientCredentialsTokenSource } from '../../platform/service-token.ts';
import { signInWithCode } from '../support/oidc-sign-in.ts';

let idp: RunningIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider({ port: 0 });
});
afterAll(async () => {
  await idp?.close();
});

async function verified(token: string) {
  const { payload } = await jwtVerify(token, discoveredKeySet(idp.issuer), { issuer: idp.issuer, audience: TOKEN_AUDIENCE });
  return identityFromClaims(payload);
}

async function signIn(client: string, persona: string, acr: string, acrValues = 'substantial') {
  const signedIn = await signInWithCode(idp.issuer, client, persona, acr, acrValues);
  expect(signedIn.loginPage).toContain('Sign in as Kersti Saar');
  expect(signedIn.loginPage).toMatch(new RegExp(`value="${acrValues}" checked`));
  return signedIn;
}

describe('the development provider', () => {
  it('registers exactly the clients of the policy, browsers without secrets, services with one', () => {
    const clients = loadDevClients();
    expect(clients.map((c) => c.id).sort()).toEqual(Object.keys(loadPolicy().clients).sort());
    // Machines (services, partners) use client credentials; everyone else signs in on a page.
    const machine = (id: string) => [loadPolicy().clients[id]!.actors].flat().every((a: string) => a === 'service' || a === 'partner');
    for (const client of clients) expect(client.kind === 'service', client.id).toBe(machine(client.id));
  });

  it('publishes discovery and a JWKS holding the signing key and the next one', async () => {
    const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: idp.issuer, acr_values_supported: ['low', 'substantial', 'high'], code_challenge_methods_supported: ['S256'] });
    const jwks = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([idp.keys().current.kid, idp.keys().next.kid]);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('signs a caseworker in through the login page at the level chosen there, with her entitlement', async () => {
    const { result, idToken } = await signIn('caseworker-app', 'staff-0001', 'high');
    expect(idToken).toMatchObject({ sub: 'staff-0001', name: 'Kersti Saar', acr: 'high' });
    expect(decodeProtectedHeader(result.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: idp.keys().current.kid });
    expect(await verified(result.access_token)).toEqual({ sub: 'staff-0001', client: 'caseworker-app', acr: 'high', amr: ['hwk', 'pin', 'mfa'], kind: 'staff', entitlements: ['sib:caseworker'] });
    expect(result.refresh_token).toBeTruthy();
  });

  it('signs a citizen in as a citizen, whatever level the page preselected', async () => {
    const { result, idToken } = await signIn('citizen-portal', '49431123454', 'low', 'high');
    expect(idToken.name).toBe('Kadri Tamm');
    expect(await verified(result.access_token)).toMatchObject({ sub: '49431123454', kind: 'citizen', acr: 'low', entitlements: [] });
  });

  it('issues service tokens for client credentials, kept until shortly before they expire, and refuses a wrong secret', async () => {
    const source = clientCredentialsTokenSource({ issuer: idp.issuer, ...devServiceCredentials('offers-engine') });
    const [a, b] = await Promise.all([source(), source()]);
    expect(a).toBe(b);
    expect(await source()).toBe(a);
    expect(await verified(a)).toMatchObject({ sub: 'offers-engine', client: 'offers-engine', kind: 'service' });
    let now = Date.now();
    const renewing = clientCredentialsTokenSource({ issuer: idp.issuer, ...devServiceCredentials('offers-engine') }, () => now);
    const first = await renewing();
    now += (decodeJwt(first).exp! - decodeJwt(first).iat!) * 1000;
    expect(await renewing()).not.toBe(first);
    const wrong = clientCredentialsTokenSource({ issuer: idp.issuer, clientId: 'offers-engine', secret: 'not-the-secret-at-all' });
    const failure = await wrong().catch((error: Error) => error.message);
    expect(failure).toMatch(/offers-engine got no token .*invalid_client/);
    expect(failure).not.toContain('not-the-secret');
  });

  it('authenticates a partner service by its private key (private_key_jwt), at high assurance', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'partner-key-1', alg: 'ES256', use: 'sig' };
    const partner = await startIdentityProvider({ port: 0, clients: [...loadDevClients().filter((c) => c.id !== 'partner-bank'), { id: 'partner-bank', kind: 'service', jwks: { keys: [publicJwk as typeof publicJwk & { kty: string }] } }] });
    try {
      const source = clientCredentialsTokenSource({ issuer: partner.issuer, clientId: 'partner-bank', privateKey: { ...(await exportJWK(privateKey)), kid: 'partner-key-1', alg: 'ES256' } });
      const token = await source();
      const { payload } = await jwtVerify(token, discoveredKeySet(partner.issuer), { issuer: partner.issuer, audience: TOKEN_AUDIENCE });
      expect(identityFromClaims(payload)).toMatchObject({ sub: 'partner-bank', kind: 'service', acr: 'high', amr: ['pop'] });
      // Another key than the registered one is no key at all.
      const { privateKey: other } = await generateKeyPair('ES256', { extractable: true });
      const impostor = clientCredentialsTokenSource({ issuer: partner.issuer, clientId: 'partner-bank', privateKey: { ...(await exportJWK(other)), kid: 'partner-key-1', alg: 'ES256' } });
      await expect(impostor()).rejects.toThrow(/invalid_client/);
    } finally {
      await partner.close();
    }
  });

  it('answers the dev shortcut with the same issuer and keys, and refuses what it does not know with a clear message', async () => {
    const post = (body: unknown) => fetch(`${idp.issuer}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = (await (await post({ sub: 'staff-0002', client: 'privacy-console' })).json()) as { token: string };
    expect(await verified(ok.token)).toMatchObject({ kind: 'staff', entitlements: ['dpo:privacy-officer'], acr: 'substantial' });
    for (const [body, message] of [
      [{ sub: 'nobody', client: 'citizen-portal' }, /"sub" must be/],
      [{ sub: '49431123454', client: 'no-such-client' }, /"client" must be one of/],
      [{ sub: '49431123454', client: 'citizen-portal', acr: 'extreme' }, /"acr" must be one of/],
      [{ sub: 'offers-engine', client: 'citizen-portal' }, /"sub" must be/],
    ] as const) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('lets a page redirect to its callback on any loopback port, and nowhere else', () => {
    const registered = ['http://localhost/oidc/callback'];
    expect(loopbackRedirectAllowed('http://localhost:4000/oidc/callback', registered)).toBe(true);
    expect(loopbackRedirectAllowed('http://127.0.0.1:51234/oidc/callback', registered)).toBe(true);
    for (const uri of ['https://evil.example/oidc/callback', 'http://localhost.evil.example/oidc/callback', 'http://localhost:4000/other', 'http://user@localhost/oidc/callback', 'javascript:alert(1)']) {
      expect(loopbackRedirectAllowed(uri, registered), uri).toBe(false);
    }
  });
});
