/**
 * `npm run start:subgraph -- <name>`: one agency's subgraph alone, as
 * deployed in that agency's container, against that agency's database
 * (DATABASE_URL_<AGENCY>), whose migrations it applies first; or the
 * transparency subgraph over the audit store (DATABASE_URL_AUDIT). Configured by
 * environment variables (docs/configuration.md).
 */
import { loadPolicy } from '../permissions/load.ts';
import { isAgencyName } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { SUBGRAPHS } from '../subgraphs/index.ts';
import { logger } from '../platform/logger.ts';
import { migrate } from '../platform/migrate.ts';
import { startSubgraph } from '../subgraphs/kit/server.ts';
import { subgraphConfig } from '../platform/config.ts';
import { importContextPublicKeys } from '../platform/context-keys.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { importAttestationSigner, importAttestationVerifier, type LifeEventKeys } from '../platform/life-event-attestation.ts';
import { StartupError } from '../platform/startup-error.ts';

async function lifeEventKeys(agency: string, raw: string | undefined): Promise<LifeEventKeys | undefined> {
  if (raw === undefined) return undefined;
  try {
    return agency === 'identity' ? { signer: await importAttestationSigner(raw) } : { verifier: await importAttestationVerifier(raw) };
  } catch (error) {
    throw new StartupError(`${agency === 'identity' ? 'LIFE_EVENT_SIGNING_KEY' : 'LIFE_EVENT_VERIFY_KEYS'} could not be read as Ed25519 key material (${(error as Error).message.slice(0, 120)})`);
  }
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  const config = subgraphConfig(process.argv[2]);
  const contextKey = await importContextPublicKeys(config.contextPublicKey);
  // An agency owns its database and migrates it; the audit store's tables belong to its owner role, migrated apart.
  const applied = isAgencyName(config.agency) ? await migrate(config.databaseUrl, agencyMigrationsDir(config.agency)) : [];
  if (applied.length) logger.info({ service: config.agency, migrations: applied }, 'migrations applied');
  const subgraph = await startSubgraph(SUBGRAPHS[config.agency], {
    port: config.port,
    host: config.host,
    databaseUrl: config.databaseUrl,
    policy: loadPolicy(),
    contextKey,
    maxConnections: config.poolMax,
    lifeEvents: await lifeEventKeys(config.agency, config.lifeEventKey),
  });
  logger.info({ service: config.agency, url: subgraph.url }, 'subgraph listening');
  closeOnSignals(config.agency, () => subgraph.close(), config.shutdownGraceMs);
}

main().catch(exitOnStartupError(`subgraph ${process.argv[2] ?? ''}`.trim()));
