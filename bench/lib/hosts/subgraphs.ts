/**
 * Host process for the benchmark's subgraphs: all five, under the benchmark
 * policy, in one process for all of them, the same for every configuration
 * measured on the same security.
 *
 * Security, one of four:
 * - `secured`: the shield, and the context token verified with the run's public key and bound to each call
 *   (its body, once only, this policy): what `npm start` runs, and what our gateway is measured over;
 * - `no-shield`: the same without the shield (the cost of the shield, layer by layer);
 * - `forwarded`: the shield and the token's signature, not its binding: peers forward one token the benchmark
 *   signed for a whole run (they cannot sign per call);
 * - `plain`: neither: every request is taken as the benchmark's caller with no token, what a team
 *   without this project's security would run (the kit's bench-only `unverifiedCaller`).
 */
import type { JWK } from 'jose';
import { importContextPublicKey } from '../../../platform/context-keys.ts';
import type { DatabaseUrls } from '../../../platform/databases.ts';
import { SUBGRAPH_NAMES, subgraphDatabase } from '../../../platform/topology.ts';
import { SUBGRAPHS } from '../../../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../../../subgraphs/kit/server.ts';
import { BENCH_CONTEXT, benchPolicy } from '../bench-policy.ts';
import { serveHost } from '../child-process.ts';

export type SubgraphSecurity = 'secured' | 'no-shield' | 'forwarded' | 'plain';

export interface SubgraphHostOptions {
  databases: DatabaseUrls;
  publicKey: JWK;
  security: SubgraphSecurity;
}

const running: RunningService[] = [];

serveHost(
  {
    async start({ databases, publicKey, security }: SubgraphHostOptions): Promise<Record<string, string>> {
      const contextKey = await importContextPublicKey(JSON.stringify(publicKey));
      const policy = benchPolicy();
      for (const name of SUBGRAPH_NAMES) {
        running.push(
          await startSubgraph(SUBGRAPHS[name], {
            port: 0,
            databaseUrl: databases[subgraphDatabase(name)],
            policy,
            contextKey,
            shield: security === 'secured' || security === 'forwarded',
            unverifiedCaller: security === 'plain' ? BENCH_CONTEXT : undefined,
            contextBinding: security === 'secured' || security === 'no-shield',
          }),
        );
      }
      return Object.fromEntries(running.map((s) => [s.name, s.url]));
    },
    resetStatements() {
      for (const s of running) s.db.resetStatementCount();
      return null;
    },
    statements(): Record<string, number> {
      return Object.fromEntries(running.map((s) => [s.name, s.db.statements]));
    },
  },
  async () => {
    await Promise.all(running.map((s) => s.close()));
  },
);
