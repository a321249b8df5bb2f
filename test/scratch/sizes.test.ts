import { afterAll, beforeAll, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { PAGE_QUERY } from '../../offers/facts.ts';

let system: TestSystem;
beforeAll(async () => { system = await startTestSystem(); });
afterAll(async () => { await system?.close(); });

it('sizes', async () => {
  const q = async (agency: 'family' | 'tax' | 'benefits', sql: string) => console.log(agency, sql.slice(0, 60), JSON.stringify(await system.subgraphs[agency].db.query(sql)));
  await q('family', `SELECT max(n), avg(n)::float FROM (SELECT household_id, count(*) n FROM household_member GROUP BY 1) x`);
  await q('family', `SELECT max(n) FROM (SELECT parent_id, count(*) n FROM parentage GROUP BY 1) x`);
  await q('family', `SELECT max(n) FROM (SELECT child_id, count(*) n FROM parentage GROUP BY 1) x`);
  await q('family', `SELECT max(n) FROM (SELECT ward_id, count(*) n FROM guardianship GROUP BY 1) x`);
  await q('family', `SELECT max(n) FROM (SELECT guardian_id, count(*) n FROM guardianship GROUP BY 1) x`);
  await q('family', `SELECT max(n) FROM (SELECT person_id, count(*) n FROM life_event GROUP BY 1) x`);
  await q('tax', `SELECT max(n) FROM (SELECT person_id, count(*) n FROM income GROUP BY 1) x`);
  await q('tax', `SELECT max(n) FROM (SELECT person_id, count(*) n FROM employment GROUP BY 1) x`);
  await q('tax', `SELECT max(n) FROM (SELECT person_id, count(*) n FROM assessment GROUP BY 1) x`);
  await q('benefits', `SELECT max(n) FROM (SELECT person_id, count(*) n FROM enrolment GROUP BY 1) x`);
  await q('benefits', `SELECT count(*) FROM programme`);
  const token = await system.token('offers-engine', 'offers-engine');
  const t = Date.now();
  const r = await fetch(system.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'proactive-eligibility', 'x-case-ref': 'run-1', 'x-policy-mode': 'strict' }, body: JSON.stringify({ query: PAGE_QUERY, variables: { first: 1000 } }) });
  const text = await r.text();
  let records = 0;
  const walk = (v: unknown): void => { if (Array.isArray(v)) v.forEach(walk); else if (v && typeof v === 'object') { records++; Object.values(v).forEach(walk); } };
  walk(JSON.parse(text).data);
  console.log('page', r.status, text.length, 'records', records, Date.now() - t, 'ms', text.slice(0, 200));
});
