/**
 * Host process for the benchmark's subgraphs: all five, under the benchmark
 * policy, verifying the context with the run's public key. One process for
 * all of them, the same for every configuration measured.
 */
import type { JWK } from 'jose';
import { importContextPublicKey } from '../../../platform/context-keys.ts';
import type { DatabaseUrls } from '../../../platform/databases.ts';
import { SUBGRAPH_NAMES, subgraphDatabase } from '../../../platform/topology.ts';
import { SUBGRAPHS } from '../../../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../../../subgraphs/kit/server.ts';
import { benchPolicy } from '../bench-policy.ts';
import { serveHost } from '../child-process.ts';

export interface SubgraphHostOptions {
  databases: DatabaseUrls;
  publicKey: JWK;
  shield: boolean;
}

const running: RunningService[] = [];

serveHost(
  {
    async start({ databases, publicKey, shield }: SubgraphHostOptions): Promise<Record<string, string>> {
      const contextKey = await importContextPublicKey(JSON.stringify(publicKey));
      const policy = benchPolicy();
      for (const name of SUBGRAPH_NAMES) {
        running.push(await startSubgraph(SUBGRAPHS[name], { port: 0, databaseUrl: databases[subgraphDatabase(name)], policy, contextKey, shield, contextBinding: false }));
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
