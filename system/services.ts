/**
 * Starts the subgraphs (four agencies and transparency) and the gateway against given databases: what
 * `npm start` runs, and what every integration test runs, the same way.
 */
import { generateKeyPair, type CryptoKey } from 'jose';
import { loadPolicy } from '../permissions/load.ts';
import type { Policy } from '../permissions/model.ts';
import { createDevIssuer, DEV_ISSUER, TOKEN_AUDIENCE, type DevIssuer } from '../gateway/auth/dev-issuer.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, subgraphDatabase, type SubgraphName } from '../platform/topology.ts';
import { ROOT_SUBJECTS, SUBGRAPHS } from '../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../subgraphs/kit/server.ts';
import type { DatabaseUrls } from '../platform/databases.ts';
import { cachedTokenSource } from '../offers/gateway-client.ts';
import { RELAY_CLIENT, startLifeEventWorker } from '../offers/worker.ts';
import { ENGINE_CLIENT } from '../offers/engine.ts';
import type { RunningRelay } from '../subgraphs/identity/outbox-relay.ts';
import { generateSenderKey, type SenderKey } from '../platform/message-signing.ts';
import { hardeningDefaults, type HardeningConfig } from '../platform/config.ts';

export interface ServiceOptions {
  databases: DatabaseUrls;
  /** 0 for any free port (tests). */
  gatewayPort?: number;
  /** A subgraph not named here gets its default port, or any free port when the gateway's is 0. */
  subgraphPorts?: Partial<Record<SubgraphName, number>>;
  policy?: Policy;
  host?: string;
  /** Layers that benchmarks switch off one at a time. */
  layers?: { enforcement?: boolean; shield?: boolean; audit?: boolean };
  /** Operation limits and introspection (default: development's). */
  hardening?: HardeningConfig;
  /** Run the life-event worker (identity outbox -> family register, offers engine). Default: yes. */
  lifeEvents?: boolean;
}

export interface RunningSystem {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningService>;
  devIssuer: DevIssuer;
  policy: Policy;
  /** The public keys of the agencies that sign messages to people. */
  messageSenders: SenderKey[];
  /** The gateway's context-signing key (in-process tests sign subgraph calls with it). */
  contextSigningKey: CryptoKey;
  /** The running life-event worker, if any. */
  lifeEvents?: RunningRelay;
  /** Starts a (further) life-event worker against this system: tests stop and restart it. */
  startLifeEvents(): Promise<RunningRelay>;
  close(): Promise<void>;
}

export async function startServices(options: ServiceOptions): Promise<RunningSystem> {
  const policy = options.policy ?? loadPolicy();
  // One key pair per run: the gateway signs, the subgraphs started with it verify.
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  // The benefits board signs what it sends people; the gateway publishes its public key to the portal.
  const benefitsSender = await generateSenderKey('benefits');
  const started: RunningService[] = [];
  try {
    for (const name of SUBGRAPH_NAMES) {
      started.push(
        await startSubgraph(SUBGRAPHS[name], {
          port: options.subgraphPorts?.[name] ?? (options.gatewayPort === 0 ? 0 : DEFAULT_SUBGRAPH_PORTS[name]),
          host: options.host,
          databaseUrl: options.databases[subgraphDatabase(name)],
          policy,
          contextKey: publicKey,
          shield: options.layers?.shield,
          messageSigner: name === 'benefits' ? benefitsSender.signer : undefined,
        }),
      );
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, RunningService>;
    const devIssuer = await createDevIssuer();
    const gateway = await startGateway({
      port: options.gatewayPort ?? 4000,
      host: options.host,
      policy,
      rootSubjects: ROOT_SUBJECTS,
      subgraphUrls: Object.fromEntries(started.map((s) => [s.name, s.url])) as Record<SubgraphName, string>,
      contextSigningKey: privateKey,
      auth: { key: devIssuer.publicKey, issuer: DEV_ISSUER, audience: TOKEN_AUDIENCE },
      devIssuer,
      messageSenders: [benefitsSender.publicKey],
      // This is the development system (dev issuer, explorer): its defaults, whatever NODE_ENV a tool in this process set.
      hardening: options.hardening ?? hardeningDefaults(false),
      enforcement: options.layers?.enforcement,
      // Every data-bearing response is released only once its audit record is durably written.
      audit: options.layers?.audit === false ? undefined : { databaseUrl: options.databases.audit },
    });
    // Service tokens from the in-process dev issuer; the relay and the engine still go through the gateway.
    const startLifeEvents = () =>
      startLifeEventWorker({
        identityUrl: options.databases.identity,
        gatewayUrl: gateway.url,
        relayToken: cachedTokenSource(() => devIssuer.issue({ sub: RELAY_CLIENT, client: RELAY_CLIENT })),
        engineToken: cachedTokenSource(() => devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT })),
      });
    const lifeEvents = options.lifeEvents === false ? undefined : await startLifeEvents();
    return {
      gateway,
      subgraphs,
      devIssuer,
      policy,
      contextSigningKey: privateKey,
      messageSenders: [benefitsSender.publicKey],
      lifeEvents,
      startLifeEvents,
      async close() {
        await lifeEvents?.stop();
        await gateway.close();
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close().catch(() => {})));
    throw error;
  }
}
