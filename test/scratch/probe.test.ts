import { afterAll, beforeAll, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { personaByRole } from '../../seed/personas.ts';

let system: TestSystem;
beforeAll(async () => { system = await startTestSystem(); });
afterAll(async () => { await system?.close(); });
const mother = personaByRole('newborn-mother');
it('probe', async () => {
  const as = { sub: mother.id, client: 'citizen-portal' };
  for (const query of ['{ me { partner { id annualIncome } } }', '{ me { partner { id } partner { annualIncome } } }', '{ me { partner { id } p: partner { annualIncome } } }', '{ me { ...A partner { annualIncome contact { email } } } } fragment A on Citizen { partner { id } }']) {
    const r = await system.query({ as, purpose: 'self-service', query });
    console.log(query, '\n   ', JSON.stringify(r).slice(0, 400));
  }
});
