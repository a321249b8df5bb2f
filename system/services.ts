/**
 * Starts the four subgraphs and the gateway against given databases: what
 * `npm start` runs, and what every integration test runs, the same way.
 */
import { generateKeyPair, type CryptoKey } from 'jose';
import { loadPolicy } from '../permissions/load.ts';
import type { Policy } from '../permissions/model.ts';
import { createDevIssuer, DEV_ISSUER, TOKEN_AUDIENCE, type DevIssuer } from '../gateway/auth/dev-issuer.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { AGENCY_NAMES, DEFAULT_PORTS, type AgencyName } from '../subgraphs/agencies.ts';
import { AGENCIES, ROOT_SUBJECTS } from '../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../subgraphs/kit/server.ts';
import type { DatabaseUrls } from './databases.ts';

export interface ServiceOptions {
  databases: DatabaseUrls;
  /** 0 for any free port (tests). */
  gatewayPort?: number;
  subgraphPorts?: Partial<Record<AgencyName, number>>;
  policy?: Policy;
  host?: string;
  /** Layers that benchmarks switch off one at a time. */
  layers?: { enforcement?: boolean; shield?: boolean };
}

export interface RunningSystem {
  gateway: RunningGateway;
  subgraphs: Record<AgencyName, RunningService>;
  devIssuer: DevIssuer;
  policy: Policy;
  /** The gateway's context-signing key (in-process tests sign subgraph calls with it). */
  contextSigningKey: CryptoKey;
  close(): Promise<void>;
}

export async function startServices(options: ServiceOptions): Promise<RunningSystem> {
  const policy = options.policy ?? loadPolicy();
  // One key pair per run: the gateway signs, the subgraphs started with it verify.
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  const started: RunningService[] = [];
  try {
    for (const name of AGENCY_NAMES) {
      started.push(
        await startSubgraph(AGENCIES[name], {
          port: options.subgraphPorts?.[name] ?? DEFAULT_PORTS[name],
          host: options.host,
          databaseUrl: options.databases[name],
          policy,
          contextKey: publicKey,
          shield: options.layers?.shield,
        }),
      );
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<AgencyName, RunningService>;
    const devIssuer = await createDevIssuer();
    const gateway = await startGateway({
      port: options.gatewayPort ?? 4000,
      host: options.host,
      policy,
      rootSubjects: ROOT_SUBJECTS,
      subgraphUrls: Object.fromEntries(started.map((s) => [s.name, s.url])) as Record<AgencyName, string>,
      contextSigningKey: privateKey,
      auth: { key: devIssuer.publicKey, issuer: DEV_ISSUER, audience: TOKEN_AUDIENCE },
      devIssuer,
      enforcement: options.layers?.enforcement,
    });
    return {
      gateway,
      subgraphs,
      devIssuer,
      policy,
      contextSigningKey: privateKey,
      async close() {
        await gateway.close();
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close().catch(() => {})));
    throw error;
  }
}
