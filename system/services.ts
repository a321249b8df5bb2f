/**
 * Starts the subgraphs (four agencies and transparency) and the gateway against given databases: what
 * `npm start` runs, and what every integration test runs, the same way.
 */
import { generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { generateLifeEventKeyPair, lifeEventKeysFromJwks } from '../platform/life-event-attestation.ts';
import { loadPolicy } from '../permissions/load.ts';
import type { Policy } from '../permissions/model.ts';
import { createDevIssuer, DEV_ISSUER, TOKEN_AUDIENCE, type DevIssuer } from '../gateway/auth/dev-issuer.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, subgraphDatabase, type SubgraphName } from '../platform/topology.ts';
import { SUBGRAPHS } from '../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../subgraphs/kit/server.ts';
import type { DatabaseUrls } from '../platform/databases.ts';
import type { HardeningConfig } from '../platform/config.ts';
import { cachedTokenSource } from '../offers/gateway-client.ts';
import { RELAY_CLIENT, startLifeEventWorker } from '../offers/worker.ts';
import { ENGINE_CLIENT } from '../offers/engine.ts';
import type { RunningRelay } from '../subgraphs/identity/outbox-relay.ts';
import { generateSenderKey, type SenderKey } from '../platform/message-signing.ts';
import { startMessageDelivery, type DeliveryOptions, type RunningDelivery } from '../subgraphs/benefits/delivery/worker.ts';
import { DELIVERY_CLIENT } from '../subgraphs/benefits/delivery/recipients.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigner, type Signer } from '../platform/tlog/note.ts';
import type { WitnessEndpoint } from '../platform/tlog/witness-list.ts';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_UNWITNESSED_LIMIT_S, DEFAULT_WITNESS_PORT, hardeningDefaults } from '../platform/config.ts';
import { startWitness, type RunningWitness } from '../witness/server.ts';
import { fileStore } from '../witness/store.ts';
import { DEV_LOG_NAME, DEV_WITNESS_NAME } from './audit-keys.ts';

/** The audit log's checkpoints and the witness `npm start` runs beside it. */
export interface AuditLogSetup {
  /** The log's key (its name is the checkpoints' origin). */
  signer: Signer;
  /** A witness run in this process, with its own key and its own folder. */
  witness?: { signer: Signer; dataDir: string; port?: number };
  /** Witnesses run elsewhere. */
  externalWitnesses?: WitnessEndpoint[];
  quorum?: number;
  intervalMs?: number;
  unwitnessedLimitMs?: number;
  tickMs?: number;
}

/** The in-process witness, which tests stop and start again (same port, same folder) to see the gateway's gate. */
export interface WitnessControl {
  url: string;
  verifierKey: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}


/** A log key and a witness in a temporary folder, for runs that bring none (benchmarks). */
export function ephemeralAuditLog(): AuditLogSetup & { cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-witness-'));
  return { signer: generateSigner(DEV_LOG_NAME), witness: { signer: generateSigner(DEV_WITNESS_NAME), dataDir }, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

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
  /** Run the life-event worker (identity outbox -> family register, offers engine). Default: yes. */
  lifeEvents?: boolean;
  /** Checkpoints and witness: given, ephemeral (a fresh key and witness) when absent, none with false. */
  auditLog?: AuditLogSetup | false;
  /**
   * The population register's life-event key pair. Events wait in the outbox signed with it, so it must
   * outlive a run wherever the databases do (`npm start` keeps it in the data folder, tests share one per
   * test run); a fresh pair when not given.
   */
  lifeEventKeys?: { privateJwk: JWK; publicJwk: JWK };
  /** The gateway's limits (default: the development defaults). */
  hardening?: HardeningConfig;
  /** The benefits board's delivery job (letters into the print folder, e-mail): off unless given. */
  delivery?: Pick<DeliveryOptions, 'printDir' | 'smtpUrl' | 'mailFrom' | 'intervalMs' | 'today'>;
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
  /** The benefits board's delivery job, if started. */
  delivery?: RunningDelivery;
  /** Starts a (further) life-event worker against this system: tests stop and restart it. */
  startLifeEvents(): Promise<RunningRelay>;
  /** The witness run in this process, if any. */
  witness?: WitnessControl;
  /** The audit log's key, if it is checkpointed. */
  auditLog?: AuditLogSetup;
  close(): Promise<void>;
}

export async function startServices(options: ServiceOptions): Promise<RunningSystem> {
  const policy = options.policy ?? loadPolicy();
  // One key pair per run: the gateway signs, the subgraphs started with it verify.
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  // The benefits board signs what it sends people; the gateway publishes its public key to the portal.
  const benefitsSender = await generateSenderKey('benefits');
  const lifeEventKeys = await lifeEventKeysFromJwks(options.lifeEventKeys ?? (await generateLifeEventKeyPair()));
  const started: RunningService[] = [];
  const ephemeral = options.auditLog === undefined && options.layers?.audit !== false ? ephemeralAuditLog() : undefined;
  const auditLog = options.auditLog === false || options.layers?.audit === false ? undefined : (options.auditLog ?? ephemeral);
  let witness: (WitnessControl & { running?: RunningWitness }) | undefined;
  try {
    if (auditLog?.witness) {
      const setup = auditLog.witness;
      const store = fileStore(setup.dataDir);
      let port = setup.port ?? (options.gatewayPort === 0 ? 0 : DEFAULT_WITNESS_PORT);
      const control: WitnessControl & { running?: RunningWitness } = {
        url: '',
        verifierKey: '',
        async start() {
          control.running = await startWitness({ signer: setup.signer, logs: [{ origin: auditLog.signer.name, keys: [auditLog.signer] }], store, port, host: options.host });
          port = control.running.port;
          control.url = control.running.url;
          control.verifierKey = control.running.verifierKey;
        },
        async stop() {
          await control.running?.close();
          control.running = undefined;
        },
      };
      await control.start();
      witness = control;
    }
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
          lifeEvents: name === 'identity' ? lifeEventKeys.identity : name === 'family' ? lifeEventKeys.family : undefined,
        }),
      );
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, RunningService>;
    const devIssuer = await createDevIssuer();
    const gateway = await startGateway({
      port: options.gatewayPort ?? 4000,
      host: options.host,
      policy,
      subgraphUrls: Object.fromEntries(started.map((s) => [s.name, s.url])) as Record<SubgraphName, string>,
      contextSigningKey: privateKey,
      auth: { key: devIssuer.publicKey, issuer: DEV_ISSUER, audience: TOKEN_AUDIENCE },
      devIssuer,
      messageSenders: [benefitsSender.publicKey],
      // This is the development system (dev issuer, explorer): its defaults, whatever NODE_ENV a tool in this process set.
      hardening: options.hardening ?? hardeningDefaults(false),
      enforcement: options.layers?.enforcement,
      // Every data-bearing response is released only once its audit record is durably written (and, with
      // checkpoints, only while the records before it have not gone unwitnessed too long).
      audit:
        options.layers?.audit === false
          ? undefined
          : {
              databaseUrl: options.databases.audit,
              checkpoints: auditLog && {
                signer: auditLog.signer,
                witnesses: [...(witness ? [{ url: witness.url, verifier: auditLog.witness!.signer }] : []), ...(auditLog.externalWitnesses ?? [])],
                quorum: auditLog.quorum ?? 1,
                intervalMs: auditLog.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
                unwitnessedLimitMs: auditLog.unwitnessedLimitMs ?? DEFAULT_UNWITNESSED_LIMIT_S * 1000,
                tickMs: auditLog.tickMs,
              },
            },
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
    const delivery =
      options.delivery &&
      startMessageDelivery({
        ...options.delivery,
        databaseUrl: options.databases.benefits,
        gatewayUrl: gateway.url,
        token: cachedTokenSource(() => devIssuer.issue({ sub: DELIVERY_CLIENT, client: DELIVERY_CLIENT })),
      });
    return {
      gateway,
      subgraphs,
      devIssuer,
      policy,
      contextSigningKey: privateKey,
      messageSenders: [benefitsSender.publicKey],
      lifeEvents,
      delivery,
      startLifeEvents,
      witness,
      auditLog,
      async close() {
        await delivery?.stop();
        await lifeEvents?.stop();
        await gateway.close();
        await Promise.all(started.map((s) => s.close()));
        await witness?.stop();
        ephemeral?.cleanup();
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close().catch(() => {})));
    await witness?.stop().catch(() => {});
    ephemeral?.cleanup();
    throw error;
  }
}
