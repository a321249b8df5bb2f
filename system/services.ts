/**
 * Starts the subgraphs (four agencies and transparency) and the gateway against given databases: what
 * `npm start` runs, and what every integration test runs, the same way.
 */
import { generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { generateLifeEventKeyPair, lifeEventKeysFromJwks } from '../platform/life-event-attestation.ts';
import { loadPolicy } from '../permissions/load.ts';
import type { Policy } from '../permissions/model.ts';
import { discoveredKeySet } from '../gateway/auth/authenticate.ts';
import { startIdentityProvider, TOKEN_AUDIENCE, type IdentityProviderOptions, type RunningIdentityProvider } from '../identity-provider/server.ts';
import type { MintRequest } from '../identity-provider/provider.ts';
import { clientsForPolicy, devServiceCredentials } from '../identity-provider/clients.ts';
import { clientCredentialsTokenSource } from '../platform/service-token.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../gateway/server.ts';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES, subgraphDatabase, type SubgraphName } from '../platform/topology.ts';
import { SUBGRAPHS } from '../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../subgraphs/kit/server.ts';
import type { DatabaseUrls } from '../platform/databases.ts';
import type { HardeningConfig } from '../platform/config.ts';
import { ENGINE_CLIENT, RELAY_CLIENT } from '../events/consumers.ts';
import { startEventsService } from '../events/service.ts';
import type { RunningRelay } from '../events/relay.ts';
import { generateSenderKey, type SenderKey } from '../platform/message-signing.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigner, type Signer } from '../platform/tlog/note.ts';
import type { WitnessEndpoint } from '../platform/tlog/witness-list.ts';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_UNWITNESSED_LIMIT_S, DEFAULT_WITNESS_PORT, hardeningDefaults } from '../platform/config.ts';
import { startWitness, type RunningWitness } from '../witness/server.ts';
import { fileStore } from '../witness/store.ts';
import { DEV_LOG_NAME, DEV_WITNESS_NAME } from '../platform/audit-keys.ts';

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
  /** Run the events service in this process (identity outbox -> family register, offers engine). Default: yes. */
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
  /** The development identity provider (its own HTTP port; any free one when the gateway's is 0). */
  identityProvider?: Omit<IdentityProviderOptions, 'host'>;
}

/** Tokens of the development identity provider without the browser round trip (POST /dev/token, in process). */
export interface DevTokens {
  issue(request: MintRequest): Promise<string>;
}

export interface RunningSystem {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningService>;
  /** The development OpenID provider the gateway verifies tokens of (discovery and JWKS, as in production). */
  identityProvider: RunningIdentityProvider;
  /** Its dev shortcut: tokens for any persona, personal code or service client (tests, scripts). */
  devIssuer: DevTokens;
  /** How this system's gateway verifies tokens (for further gateways a test starts beside it). */
  gatewayAuth: GatewayOptions['auth'];
  policy: Policy;
  /** The public keys of the agencies that sign messages to people. */
  messageSenders: SenderKey[];
  /** The gateway's context-signing key (in-process tests sign subgraph calls with it). */
  contextSigningKey: CryptoKey;
  /** The gateway public keys every subgraph of this system accepts, picked by key id: add the next key before the gateway signs with it (rotation). */
  contextKeys: CryptoKey[];
  /** The running events service (life-event relay), if any. */
  lifeEvents?: RunningRelay;
  /** Starts a (further) events relay against this system: tests stop and restart it. */
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
  // The subgraphs' set of gateway keys: a rotation adds the next key here before the gateway signs with it.
  const contextKeys: CryptoKey[] = [publicKey];
  // The benefits board signs what it sends people; the gateway publishes its public key to the portal.
  const benefitsSender = await generateSenderKey('benefits');
  const lifeEventKeys = await lifeEventKeysFromJwks(options.lifeEventKeys ?? (await generateLifeEventKeyPair()));
  const started: RunningService[] = [];
  const ephemeral = options.auditLog === undefined && options.layers?.audit !== false ? ephemeralAuditLog() : undefined;
  const auditLog = options.auditLog === false || options.layers?.audit === false ? undefined : (options.auditLog ?? ephemeral);
  let witness: (WitnessControl & { running?: RunningWitness }) | undefined;
  let identityProvider: RunningIdentityProvider | undefined;
  try {
    identityProvider = await startIdentityProvider({
      host: options.host,
      clients: clientsForPolicy(policy.clients),
      ...options.identityProvider,
      port: options.identityProvider?.port ?? (options.gatewayPort === 0 ? 0 : undefined),
    });
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
          contextKey: contextKeys,
          shield: options.layers?.shield,
          messageSigner: name === 'benefits' ? benefitsSender.signer : undefined,
          lifeEvents: name === 'identity' ? lifeEventKeys.identity : name === 'family' ? lifeEventKeys.family : undefined,
        }),
      );
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, RunningService>;
    const idp = identityProvider;
    const gatewayAuth = { key: discoveredKeySet(idp.issuer), issuer: idp.issuer, audience: TOKEN_AUDIENCE };
    const gateway = await startGateway({
      port: options.gatewayPort ?? 4000,
      host: options.host,
      policy,
      subgraphUrls: Object.fromEntries(started.map((s) => [s.name, s.url])) as Record<SubgraphName, string>,
      contextSigningKey: privateKey,
      auth: gatewayAuth,
      devTokenUrl: new URL('/dev/token', idp.url).toString(),
      messageSenders: [benefitsSender.publicKey],
      // This is the development system (development provider, explorer): its defaults, whatever NODE_ENV a tool in this process set.
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
    // The relay and the engine sign in as production services do: client credentials at the provider's token endpoint.
    const serviceToken = (client: string) => clientCredentialsTokenSource({ issuer: idp.issuer, ...devServiceCredentials(client) });
    const startLifeEvents = () =>
      startEventsService({
        identityUrl: options.databases.identity,
        gatewayUrl: gateway.url,
        relayToken: serviceToken(RELAY_CLIENT),
        engineToken: serviceToken(ENGINE_CLIENT),
      });
    const lifeEvents = options.lifeEvents === false ? undefined : await startLifeEvents();
    return {
      gateway,
      subgraphs,
      identityProvider: idp,
      devIssuer: { issue: (request) => idp.issue(request) },
      gatewayAuth,
      policy,
      contextSigningKey: privateKey,
      contextKeys,
      messageSenders: [benefitsSender.publicKey],
      lifeEvents,
      startLifeEvents,
      witness,
      auditLog,
      async close() {
        await lifeEvents?.stop();
        await gateway.close();
        await Promise.all(started.map((s) => s.close()));
        await witness?.stop();
        await idp.close();
        ephemeral?.cleanup();
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close().catch(() => {})));
    await witness?.stop().catch(() => {});
    await identityProvider?.close().catch(() => {});
    ephemeral?.cleanup();
    throw error;
  }
}
