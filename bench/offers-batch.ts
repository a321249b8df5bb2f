/**
 * Throughput of the proactive-offers batch over a seeded population.
 *
 *   npx tsx bench/offers-batch.ts --citizens 100000 [--page-size 1000] [--concurrency 4]
 *   npx tsx bench/offers-batch.ts --citizens 1000000
 *
 * Starts a fresh embedded PostgreSQL (new folder under /tmp, free port),
 * migrates and seeds it, starts the real services (subgraphs + gateway, HTTP,
 * purpose enforcement), then runs the same batch `npm run offers -- --all`
 * runs — pages of citizens through the gateway under proactive-eligibility,
 * rules, one recordEligibility per page — and prints citizens/s (goal 20,000).
 */
import '../system/terminal-defaults.ts';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { runBatch } from '../offers/batch.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { cachedTokenSource, gatewayClient } from '../offers/gateway-client.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { startServices } from '../system/services.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
});
const citizens = Number(values.citizens);
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

console.log(`seeding ${citizens.toLocaleString('en')} citizens into a fresh embedded PostgreSQL…`);
const seedStart = Date.now();
const scratch = await startScratchDatabases({ citizens, seed: 42 });
console.log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
const system = await startServices({ databases: scratch.urls, gatewayPort: 0, lifeEvents: false });
try {
  const client = gatewayClient(system.gateway.url, ENGINE_PURPOSE, cachedTokenSource(() => system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })));
  const bar = new cliProgress.SingleBar({ format: 'offers |{bar}| {value}/{total} citizens | {rate}/s' }, cliProgress.Presets.shades_classic);
  bar.start(citizens, 0, { rate: 0 });
  const started = Date.now();
  const result = await runBatch(client, {
    runId: `bench-${Date.now()}`,
    pageSize: Number(values['page-size']),
    concurrency: Number(values.concurrency),
    onProgress: (p) => bar.update(p.evaluated, { rate: Math.round(p.evaluated / ((Date.now() - started) / 1000)) }),
  });
  bar.stop();
  const seconds = result.elapsedMs / 1000;
  console.log(
    `offers batch: ${result.evaluated.toLocaleString('en')} citizens in ${seconds.toFixed(1)} s = ${Math.round(result.evaluated / seconds).toLocaleString('en')} citizens/s ` +
      `(page ${values['page-size']}, concurrency ${values.concurrency}); proposed ${result.proposed}, granted automatically ${result.grantedAutomatically}`,
  );
} finally {
  await system.close();
  await scratch.stop();
}
