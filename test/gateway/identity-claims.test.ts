import { describe, expect, it } from 'vitest';
import { identityFromClaims } from '../../gateway/auth/identity-claims.ts';

const citizen = { sub: '49431123454', client_id: 'citizen-portal', acr: 'high', actor: 'citizen' };
const refused = (claims: Record<string, unknown>) => {
  try {
    identityFromClaims(claims);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('identityFromClaims', () => {
  it('takes the actor kind, assurance, methods and entitlements from the claims', () => {
    expect(identityFromClaims({ ...citizen, amr: ['mID'] })).toEqual({ sub: citizen.sub, client: 'citizen-portal', acr: 'high', amr: ['mID'], kind: 'citizen', entitlements: [] });
    expect(identityFromClaims({ sub: 'staff-0001', client_id: 'caseworker-app', acr: 'substantial', actor: 'staff', entitlements: ['sib:caseworker'] }))
      .toMatchObject({ kind: 'staff', entitlements: ['sib:caseworker'] });
    expect(identityFromClaims({ sub: 'offers-engine', client_id: 'offers-engine', actor: 'service' })).toMatchObject({ kind: 'service', acr: 'low' });
  });

  it('refuses a token whose actor is missing or unknown (never guessed from the subject)', () => {
    expect(refused({ ...citizen, actor: undefined })).toMatch(/kind of actor/);
    for (const actor of ['admin', 'Citizen', 'partner', '', 1, ['staff']]) expect(refused({ ...citizen, actor })).toMatch(/kind of actor/);
  });

  it('refuses entitlements on anyone but staff, malformed entitlements, and a service acting as someone else', () => {
    expect(refused({ ...citizen, entitlements: ['sib:caseworker'] })).toMatch(/only staff/);
    expect(refused({ sub: 'staff-0001', client_id: 'caseworker-app', actor: 'staff', entitlements: 'sib:caseworker' })).toMatch(/entitlements/);
    expect(refused({ sub: 'staff-0001', client_id: 'caseworker-app', actor: 'staff', entitlements: ['SIB caseworker'] })).toMatch(/entitlements/);
    expect(refused({ sub: '49431123454', client_id: 'offers-engine', actor: 'service' })).toMatch(/own client id/);
  });

  it('maps a provider’s assurance values, and treats unknown ones as low', () => {
    const mapping = { acrValues: { 'http://eidas.europa.eu/LoA/high': 'high' as const } };
    expect(identityFromClaims({ ...citizen, acr: 'http://eidas.europa.eu/LoA/high' }, mapping).acr).toBe('high');
    expect(identityFromClaims({ ...citizen, acr: 'very-high' }).acr).toBe('low');
    expect(identityFromClaims({ ...citizen, acr: 'toString' }, mapping).acr).toBe('low');
  });
});
