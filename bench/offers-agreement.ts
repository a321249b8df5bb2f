/**
 * The offers engine against the independent reference computation
 * (test/offers/reference.ts) over seeded populations larger than the test
 * suite's: no false positives, no false negatives, counts per programme.
 *
 *   npx tsx bench/offers-agreement.ts --citizens 1000,10000,100000 [--seed 42] [--concurrency 2] [--page-size 250]
 *
 * Per size: a fresh embedded PostgreSQL, seeded; the real services; one batch
 * run through the gateway (as `npm run offers -- --all`); then every open
 * finding in the benefits register compared with the reference's
 * (citizen, programme, amount, child). Exits 1 on any disagreement.
 */
import '../system/terminal-defaults.ts';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../offers/gateway-client.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { startServices } from '../system/services.ts';
import { referenceOffers, TRIPLE_SQL, type Triple } from '../test/offers/reference.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '1000,10000,100000' },
    seed: { type: 'string', default: '42' },
    // A busy machine: fewer pages in flight keep the agencies' pools from timing out.
    concurrency: { type: 'string', default: '2' },
    // Smaller pages than the batch's default keep each agency call far inside the gateway's subgraph timeout.
    'page-size': { type: 'string', default: '250' },
  },
});
const sizes = values.citizens.split(',').map(Number);
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

const programmeOf = (t: Triple) => t.split('|')[1]!;
let disagreements = 0;
const table: string[] = ['| citizens | programme | engine | reference | false positives | false negatives |', '|---:|---|---:|---:|---:|---:|'];

for (const citizens of sizes) {
  const scratch = await startScratchDatabases({ citizens, seed: Number(values.seed) });
  const system = await startServices({ databases: scratch.urls, gatewayPort: 0, lifeEvents: false });
  const benefits = new pg.Client({ connectionString: scratch.urls.benefits });
  try {
    await benefits.connect();
    const expected = await referenceOffers(scratch.urls, scratch.today);
    const client = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
    const result = await runBatch(client, { runId: `agreement-${citizens}`, concurrency: Number(values.concurrency), pageSize: Number(values['page-size']) });
    const { rows } = await benefits.query<{ t: Triple }>(`SELECT ${TRIPLE_SQL} AS t FROM offer WHERE status IN ('proposed', 'granted_automatically')`);
    const found = new Set(rows.map((r) => r.t));
    const programmes = [...new Set([...found, ...expected].map(programmeOf))].sort();
    for (const programme of programmes) {
      const mine = [...found].filter((t) => programmeOf(t) === programme);
      const theirs = [...expected].filter((t) => programmeOf(t) === programme);
      const falsePositives = mine.filter((t) => !expected.has(t));
      const falseNegatives = theirs.filter((t) => !found.has(t));
      disagreements += falsePositives.length + falseNegatives.length;
      table.push(`| ${citizens.toLocaleString('en')} | ${programme} | ${mine.length} | ${theirs.length} | ${falsePositives.length} | ${falseNegatives.length} |`);
      for (const t of [...falsePositives.slice(0, 5).map((x) => `+ ${x}`), ...falseNegatives.slice(0, 5).map((x) => `- ${x}`)]) console.error(`  ${t}`);
    }
    console.log(`${citizens.toLocaleString('en')} citizens: evaluated ${result.evaluated} in ${(result.elapsedMs / 1000).toFixed(1)} s, ${found.size} open findings, reference ${expected.size}`);
  } finally {
    await benefits.end();
    await system.close();
    await scratch.stop();
  }
}
console.log(table.join('\n'));
console.log(disagreements === 0 ? 'engine and reference agree exactly' : `${disagreements} disagreements`);
process.exit(disagreements === 0 ? 0 : 1);
