/**
 * Keys rotate while everything runs: the identity provider's signing key
 * (the gateway keeps accepting tokens signed before, and accepts the new
 * ones at once), and the gateway's context-signing key (subgraphs hold a
 * small set of its public keys, picked by key id). Nothing restarts.
 */
import { decodeProtectedHeader, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_HEADER, signContext } from '../../platform/context-token.ts';
import { policyDigest } from '../../permissions/digest.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
const mother = personaByRole('newborn-mother');
const ME = '{ me { givenName } }';

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

const asMother = (token: string) => system.query<{ me: { givenName: string } }>({ query: ME, token, purpose: 'self-service' });

describe("the identity provider's signing key", () => {
  it('rotates without downtime: tokens signed before stay valid, tokens signed after are accepted at once', async () => {
    const port = system.identityProvider.port;
    const before = await system.token(mother.id, 'citizen-portal');
    const seen = await system.token(mother.id, 'citizen-portal');
    // The gateway has fetched the provider's keys (and remembers this token) before the rotation.
    expect((await asMother(seen)).data?.me.givenName).toBe('Kadri');
    const { current, next } = system.identityProvider.keys();

    await system.identityProvider.rotateSigningKey();

    expect(system.identityProvider.port).toBe(port);
    expect(system.identityProvider.keys()).toMatchObject({ current: { kid: next.kid }, retired: [{ kid: current.kid }] });
    const after = await system.token(mother.id, 'citizen-portal');
    expect(decodeProtectedHeader(after).kid).toBe(next.kid);
    expect(decodeProtectedHeader(before).kid).toBe(current.kid);
    // Signed with the key that was published as the next one: no JWKS fetch needed, so none can fail.
    expect((await asMother(after)).data?.me.givenName).toBe('Kadri');
    // Signed before the rotation, first shown after it: verified against the retired key, still published.
    expect((await asMother(before)).data?.me.givenName).toBe('Kadri');
    expect((await asMother(seen)).data?.me.givenName).toBe('Kadri');
    // The sign-in itself goes on too: the discovery document and the token endpoint answer with the new key.
    const jwks = (await (await fetch(`${system.identityProvider.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([next.kid, system.identityProvider.keys().next.kid, current.kid]);
  });

  it('still refuses a token signed with a key the provider never published', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({ client_id: 'citizen-portal', actor: 'citizen', acr: 'high' })
      .setProtectedHeader({ alg: 'ES256', kid: system.identityProvider.keys().current.kid, typ: 'at+jwt' })
      .setSubject(mother.id).setIssuer(system.identityProvider.issuer).setAudience('citizen-graph').setIssuedAt().setExpirationTime('5m')
      .sign(privateKey);
    const answer = await asMother(forged);
    expect(answer.status).toBe(401);
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe("the gateway's context-signing key", () => {
  const caller = { actor: mother.id, client: 'citizen-portal', purpose: 'self-service', acr: 'high' as const, requestId: 'rotation-test-1', scope: { self: mother.id, represented: [], any: false } };
  const ask = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { givenName } } }', variables: { r: [{ __typename: 'Citizen', id: mother.id }] } };
  /** A call to the identity subgraph signed with `key`, bound to that call (each token is good once). */
  const callIdentity = (key: CryptoKey) =>
    fetch(system.subgraphs.identity.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: signContext(caller, 'identity', key, { body: JSON.stringify(ask), policyDigest: policyDigest(system.policy) }) },
      body: JSON.stringify(ask),
    }).then(async (r) => (await r.json()) as { data?: { _entities: { givenName: string }[] }; errors?: { message: string }[] });

  it('rotates by key id: the next key is added to the subgraphs, the gateway switches, the old key is removed a minute later', async () => {
    const old = system.contextSigningKey;
    const oldPublic = system.contextKeys[0]!;
    expect((await callIdentity(old)).data?._entities[0]?.givenName).toBe('Kadri');
    const next = await generateKeyPair('EdDSA', { extractable: true });

    system.contextKeys.push(next.publicKey);
    system.gateway.rotateContextKey(next.privateKey);

    const token = await system.token(mother.id, 'citizen-portal');
    expect((await asMother(token)).data?.me.givenName).toBe('Kadri');
    expect((await callIdentity(next.privateKey)).data?._entities[0]?.givenName).toBe('Kadri');
    // A call signed just before the switch is still in flight: accepted while the old key is in the set.
    expect((await callIdentity(old)).data?._entities[0]?.givenName).toBe('Kadri');

    system.contextKeys.splice(system.contextKeys.indexOf(oldPublic), 1);
    expect((await callIdentity(old)).errors?.[0]?.message).toMatch(/accepts only requests signed by the gateway/);
    expect((await asMother(await system.token(mother.id, 'citizen-portal'))).data?.me.givenName).toBe('Kadri');
    expect(system.contextKeys).toEqual([next.publicKey]);
  });
});
