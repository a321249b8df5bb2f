/**
 * What the audit costs: throughput of the unified view (a citizen's `me`
 * through the citizen portal, a different citizen per request) with the audit
 * on and checkpointed (Merkle tree, signed checkpoints every second, a witness
 * cosigning), on without checkpoints, and off, measured alternately in one
 * run; prints the ratios (goal ≥ 0.9 for the audit) and the audit writer's
 * group commit (records per batch).
 *
 *   LOG_LEVEL=warn npx tsx bench/audit.ts [--citizens 10000] [--duration 10] [--rounds 3] [--connections 20]
 *
 * (LOG_LEVEL=warn: per-request info logs to the terminal would be what is measured.)
 */
import '../system/terminal-defaults.ts';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ephemeralAuditLog, startServices, type RunningSystem } from '../system/services.ts';
import { startScratchDatabases } from '../system/scratch-databases.ts';
import { compareAlternating, formatTable, runLoad, type LoadRequest } from './lib/load.ts';
import { UNIFIED_VIEW_QUERY, sampleAdults } from './lib/scenarios.ts';

process.env.APOLLO_TELEMETRY_DISABLED = '1';
const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
  },
});

// Checkpoints every second (the default is 5 s; at least every 10 s is required): the costlier end.
const CONFIGURATIONS = {
  'audit + checkpoints': { audit: true, checkpoints: true },
  'audit, no checkpoints': { audit: true, checkpoints: false },
  'audit off': { audit: false, checkpoints: false },
} as const;
type Configuration = keyof typeof CONFIGURATIONS;

async function auditStats(url: string): Promise<{ records: number; batches: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Records of one batch share a transaction: count distinct inserting transactions via xmin.
    const { rows } = await client.query<{ records: string; batches: string }>('SELECT count(*) AS records, count(DISTINCT xmin::text) AS batches FROM audit_record');
    return { records: Number(rows[0]!.records), batches: Number(rows[0]!.batches) };
  } finally {
    await client.end();
  }
}

async function main() {
  console.log(`seeding ${values.citizens} citizens in a scratch PostgreSQL…`);
  const databases = await startScratchDatabases({ citizens: Number(values.citizens) });
  const citizens = await sampleAdults(databases.urls.identity, 500);
  try {
    const results = await compareAlternating(Object.keys(CONFIGURATIONS) as Configuration[], Number(values.rounds), async (name, round) => {
      const configuration = CONFIGURATIONS[name];
      const log = configuration.checkpoints ? ephemeralAuditLog() : undefined;
      const system: RunningSystem = await startServices({
        databases: databases.urls,
        gatewayPort: 0,
        layers: { audit: configuration.audit },
        auditLog: log ? { ...log, intervalMs: 1_000 } : false,
      });
      try {
        const tokens = await Promise.all(citizens.map((sub) => system.devIssuer.issue({ sub, client: 'citizen-portal' })));
        let i = 0;
        const body = JSON.stringify({ query: UNIFIED_VIEW_QUERY });
        const next = (): LoadRequest => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}`, 'x-purpose': 'self-service' }, body });
        const before = await auditStats(databases.urls.audit);
        // Denials by design (a partner is out of a citizen's scope) are correct answers.
        const result = await runLoad({ url: system.gateway.url, connections: Number(values.connections), durationSeconds: Number(values.duration), next, expectedCodes: ['UNAUTHORIZED_FIELD_OR_TYPE'] });
        const after = await auditStats(databases.urls.audit);
        const records = after.records - before.records;
        const batches = after.batches - before.batches;
        console.log(
          `round ${round + 1} ${name}: ${result.rps.toFixed(0)} rps, p99 ${result.p99} ms, ${result.requests} requests, ${records} audit records` +
            (batches ? ` in ${batches} batches (${(records / batches).toFixed(1)} per batch)` : ''),
        );
        return result;
      } finally {
        await system.close();
        log?.cleanup();
      }
    });
    console.log(`\nunified view, ${values.connections} connections, ${values.duration} s × ${values.rounds} rounds, medians:\n`);
    console.log(formatTable(results, 'audit off'));
    const ratio = (a: Configuration, b: Configuration) => (results[a].rps / results[b].rps).toFixed(3);
    console.log(`\naudit with checkpoints / audit off throughput: ${ratio('audit + checkpoints', 'audit off')} (goal ≥ 0.9)`);
    console.log(`audit with checkpoints / audit without: ${ratio('audit + checkpoints', 'audit, no checkpoints')} (the cost of checkpointing and witnessing)`);
  } finally {
    await databases.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
