/** Claims of a national provider mapped to the policy's model (docs/configuration.md, "Identity claims"). */
import { describe, expect, it } from 'vitest';
import { identityFromClaims } from '../../gateway/auth/identity-claims.ts';
import { ConfigurationError, gatewayConfig, serviceClientConfig } from '../../platform/config.ts';

const KEY = '{"kty":"OKP","crv":"Ed25519","x":"x","d":"d"}';
/** A TARA-style ID token: `sub` with the country prefix, the level as a word, the means as amr, the client in `aud`/`azp`. */
const tara = { sub: 'EE49431123454', azp: 'citizen-portal', aud: 'citizen-portal', acr: 'high', amr: ['idcard'], given_name: 'KADRI', family_name: 'TAMM' };
const TARA_MAPPING = { subjectPrefix: 'EE', clientClaim: 'azp', actor: 'citizen' as const };

describe('identity claims mapping', () => {
  it('reads eIDAS level URIs without configuration, and a provider’s own values with it', () => {
    const base = { sub: '49431123454', client_id: 'citizen-portal', actor: 'citizen' };
    expect(identityFromClaims({ ...base, acr: 'http://eidas.europa.eu/LoA/substantial' }).acr).toBe('substantial');
    expect(identityFromClaims({ ...base, acr: 'http://eidas.europa.eu/LoA/high' }).acr).toBe('high');
    expect(identityFromClaims({ ...base, acr: 'urn:example:loa:3' }, { acrValues: { 'urn:example:loa:3': 'high' } }).acr).toBe('high');
    expect(identityFromClaims({ ...base, acr: '__proto__' }).acr).toBe('low');
  });

  it('maps a TARA-style token: personal code without the country prefix, a citizen by configuration, amr as sent', () => {
    expect(identityFromClaims(tara, TARA_MAPPING)).toEqual({ sub: '49431123454', client: 'citizen-portal', acr: 'high', amr: ['idcard'], kind: 'citizen', entitlements: [] });
    expect(identityFromClaims({ ...tara, amr: 'mID' }, TARA_MAPPING).amr).toEqual(['mID']);
  });

  it('refuses a subject without the expected prefix, and a TARA token without the mapping (no actor: default deny)', () => {
    expect(() => identityFromClaims({ ...tara, sub: 'LV49431123454' }, TARA_MAPPING)).toThrow(/lacks sub/);
    expect(() => identityFromClaims(tara)).toThrow();
  });

  it('takes claim names from configuration, and a staff directory’s entitlements from its own claim', () => {
    const claims = { uid: 'staff-0001', client_id: 'caseworker-app', kind: 'staff', roles: ['sib:caseworker'], acr: 'substantial' };
    expect(identityFromClaims(claims, { subjectClaim: 'uid', actorClaim: 'kind', entitlementsClaim: 'roles' })).toMatchObject({ sub: 'staff-0001', kind: 'staff', entitlements: ['sib:caseworker'] });
  });

  it('is configured by AUTH_CLAIMS, refused when malformed, and AUTH_ISSUER alone is enough (discovery)', () => {
    const env = { GATEWAY_CONTEXT_PRIVATE_KEY: KEY, AUTH_ISSUER: 'https://tara.ria.ee', AUTH_CLAIMS: JSON.stringify({ ...TARA_MAPPING, acrValues: { 'http://eidas.europa.eu/LoA/high': 'high' } }) };
    const config = gatewayConfig(env);
    expect(config.auth).toMatchObject({ issuer: 'https://tara.ria.ee', jwksUrl: undefined, claims: TARA_MAPPING });
    expect(config.devTokenUrl).toBeUndefined();
    expect(() => gatewayConfig({ ...env, AUTH_CLAIMS: '{"actor":"admin"}' })).toThrow(ConfigurationError);
    expect(() => gatewayConfig({ ...env, AUTH_CLAIMS: 'not json' })).toThrow(/AUTH_CLAIMS must be JSON/);
    expect(gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: KEY })).toMatchObject({ auth: { issuer: 'http://localhost:4020' }, devTokenUrl: 'http://localhost:4020/dev/token' });
    expect(() => gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: KEY, NODE_ENV: 'production', DATABASE_URL_AUDIT: 'postgres://a@b/c' })).toThrow(/AUTH_ISSUER is required in production/);
    expect(() => gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: KEY, NODE_ENV: 'production', AUTH_ISSUER: 'http://idp.example' })).toThrow(/AUTH_ISSUER must be an https URL in production/);
    expect(() => gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: KEY, NODE_ENV: 'production', DEV_TOKEN_URL: 'http://localhost:4020/dev/token', AUTH_ISSUER: 'https://idp.example' })).toThrow(/DEV_TOKEN_URL is development only/);
  });

  it('gives services their client credentials from OIDC_* (never echoing them), or in development from the provider’s clients file', () => {
    expect(serviceClientConfig('offers-engine', { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_SECRET_OFFERS_ENGINE: 's3cret-s3cret-s3cret' })).toMatchObject({ issuer: 'https://idp.example', clientId: 'offers-engine', secret: 's3cret-s3cret-s3cret' });
    const missing = (() => {
      try {
        serviceClientConfig('offers-engine', { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example' }, () => ({ secret: 'dev' }));
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(missing).toMatch(/OIDC_CLIENT_SECRET_OFFERS_ENGINE or OIDC_CLIENT_PRIVATE_KEY_OFFERS_ENGINE is required/);
    const badKey = (() => {
      try {
        serviceClientConfig('offers-engine', { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_PRIVATE_KEY_OFFERS_ENGINE: '{"kty":"EC","x":"secret-looking"' });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(badKey).toMatch(/must be a private JWK/);
    expect(badKey).not.toContain('secret-looking');
    expect(() => serviceClientConfig('offers-engine', { NODE_ENV: 'production', OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_SECRET_OFFERS_ENGINE: 'x'.repeat(20) })).toThrow(/https/);
    expect(serviceClientConfig('life-event-relay', {}, () => ({ secret: 'from-the-dev-file' }))).toMatchObject({ issuer: 'http://localhost:4020', secret: 'from-the-dev-file' });
  });
});
