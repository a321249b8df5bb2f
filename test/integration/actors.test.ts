/**
 * Every kind of actor against every client of the policy: a token is served
 * only through a client for its kind, staff only with the entitlement the
 * purpose names, and a citizen never for a purpose reaching anyone. Before,
 * a citizen's personal code through a staff or service client read anyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientActors, type Policy } from '../../permissions/model.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const mother = personaByRole('newborn-mother');
const single = personaByRole('single-parent');

let system: TestSystem;
let policy: Policy;
beforeAll(async () => {
  system = await startTestSystem();
  policy = system.policy;
});
afterAll(async () => system?.close());

type Kind = 'citizen' | 'staff' | 'staff without entitlement' | 'service';
const KINDS: Kind[] = ['citizen', 'staff', 'staff without entitlement', 'service'];

function tokenFor(kind: Kind, client: string, entitlement: string | undefined) {
  switch (kind) {
    case 'citizen':
      return system.devIssuer.issue({ sub: mother.id, client, acr: 'high', actor: 'citizen' });
    case 'staff':
      return system.devIssuer.issue({ sub: 'staff-0009', client, acr: 'high', actor: 'staff', entitlements: entitlement ? [entitlement] : [] });
    case 'staff without entitlement':
      return system.devIssuer.issue({ sub: 'staff-0009', client, acr: 'high', actor: 'staff', entitlements: ['other:role'] });
    case 'service':
      return system.devIssuer.issue({ sub: client, client, acr: 'high', actor: 'service' });
  }
}

describe('actor kinds against client kinds', () => {
  it('serves a token only through a client for its kind, staff only with the purpose’s entitlement', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [clientId, client] of Object.entries(policy.clients)) {
      const actors = clientActors(client);
      for (const purposeId of client.purposes) {
        const purpose = policy.purposes[purposeId]!;
        for (const kind of KINDS) {
          const allowed =
            kind === 'citizen' ? actors.includes('citizens') && !purpose.subjects.includes('any')
            : kind === 'staff' ? actors.includes('staff') && purpose.entitlement !== undefined
            : kind === 'service' ? actors.includes('service') || actors.includes('partner')
            : false;
          const token = await tokenFor(kind, clientId, purpose.entitlement);
          const r = await system.query({ query: '{ __typename }', token, purpose: purposeId, caseRef: 'CASE-ACTORS-1' });
          const code = r.errors?.[0]?.extensions?.code;
          outcomes.push(`${clientId} ${purposeId} ${kind}: ${r.status === 200 ? 'served' : `${r.status} ${String(code)}`}`);
          expected.push(`${clientId} ${purposeId} ${kind}: ${allowed ? 'served' : '403 ACTOR_NOT_ALLOWED'}`);
        }
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('a citizen signing in through the caseworker, tax office or offers engine application reads nobody', async () => {
    for (const [client, purpose] of [['caseworker-app', 'child-benefit-eligibility'], ['tax-office-app', 'tax-assessment'], ['offers-engine', 'proactive-eligibility']] as const) {
      const token = await system.devIssuer.issue({ sub: mother.id, client, acr: 'high', actor: 'citizen' });
      const r = await system.query<{ citizen: unknown }>({ query: `{ citizen(id: "${single.id}") { givenName annualIncome residence { street } } }`, token, purpose, caseRef: 'CASE-ACTORS-2' });
      expect(r.status, client).toBe(403);
      expect(r.errors?.[0]?.extensions?.code).toBe('ACTOR_NOT_ALLOWED');
      expect(r.data ?? null).toBeNull();
    }
  });

  it('the caseworker persona signs in with the caseworker entitlement (the dev issuer reads it from the personas)', async () => {
    const caseworker = personaByRole('caseworker');
    expect(caseworker.entitlements).toEqual(['sib:caseworker']);
    const ok = await system.query({ query: '{ __typename }', as: { sub: caseworker.id, client: 'caseworker-app' }, purpose: 'child-benefit-eligibility', caseRef: 'CASE-ACTORS-3' });
    expect(ok.status).toBe(200);
  });
});
