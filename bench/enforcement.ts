/**
 * What purpose enforcement costs: throughput of the unified view (scenario 1,
 * a different citizen per request) with the gateway's enforcement on and off,
 * and the subgraphs' shield on and off, measured alternately in one run.
 *
 *   npx tsx bench/enforcement.ts [--citizens 10000] [--duration 10] [--rounds 3] [--connections 20]
 */
import { parseArgs } from 'node:util';
import { startServices, type RunningSystem } from '../system/services.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { compareAlternating, formatTable, runLoad } from './lib/load.ts';
import { sampleAdults, unifiedViewRequests } from './lib/scenarios.ts';

process.env.APOLLO_TELEMETRY_DISABLED = '1';
const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
  },
});

const CONFIGURATIONS = {
  'full (enforcement + shield)': { enforcement: true, shield: true },
  'gateway enforcement off': { enforcement: false, shield: true },
  'subgraph shield off': { enforcement: true, shield: false },
  'both off': { enforcement: false, shield: false },
} as const;
type Configuration = keyof typeof CONFIGURATIONS;

async function main() {
  console.log(`seeding ${values.citizens} citizens in a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: Number(values.citizens) });
  const citizens = await sampleAdults(databases.urls.identity, 500);
  try {
    const results = await compareAlternating(Object.keys(CONFIGURATIONS) as Configuration[], Number(values.rounds), async (name, round) => {
      const system: RunningSystem = await startServices({
        databases: databases.urls,
        gatewayPort: 0,
        subgraphPorts: { identity: 0, tax: 0, family: 0, benefits: 0 },
        layers: CONFIGURATIONS[name],
      });
      try {
        const next = await unifiedViewRequests(system.devIssuer, citizens);
        // Denials the enforced configurations produce by design (the partner is out of scope) are correct answers.
        const result = await runLoad({ url: system.gateway.url, connections: Number(values.connections), durationSeconds: Number(values.duration), next, expectedCodes: ['UNAUTHORIZED_FIELD_OR_TYPE'] });
        console.log(`round ${round + 1} ${name}: ${result.rps.toFixed(0)} rps, p99 ${result.p99} ms`);
        return result;
      } finally {
        await system.close();
      }
    });
    console.log(`\nunified view, ${values.connections} connections, ${values.duration} s × ${values.rounds} rounds, medians:\n`);
    console.log(formatTable(results, 'both off'));
  } finally {
    await databases.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
