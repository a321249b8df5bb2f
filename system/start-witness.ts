/**
 * `npm run start:witness`: an audit-log witness on its own, as deployed
 * outside the audit database's reach (its own host or container, its own
 * storage, its own key). Configured by WITNESS_* (docs/configuration.md).
 * Outside production, without WITNESS_KEY / WITNESS_DATA_DIR it keeps both in
 * the development data folder.
 */
import { witnessConfig } from '../platform/config.ts';
import { defaultDataDir } from '../platform/databases.ts';
import { logger } from '../platform/logger.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { startWitness } from '../witness/server.ts';
import { fileStore } from '../witness/store.ts';
import { DEV_WITNESS_NAME, loadOrCreateSigner, witnessDir, witnessKeyFile } from '../platform/audit-keys.ts';

async function main() {
  const config = witnessConfig();
  const dataDir = config.dataDir ?? witnessDir(defaultDataDir());
  const signer = config.signer ?? loadOrCreateSigner(witnessKeyFile(defaultDataDir()), DEV_WITNESS_NAME);
  // Each log is known by its origin (its key's name); several keys of one origin are a rotation.
  const origins = [...new Set(config.logKeys.map((k) => k.name))];
  const witness = await startWitness({
    signer,
    logs: origins.map((origin) => ({ origin, keys: config.logKeys.filter((k) => k.name === origin) })),
    store: fileStore(dataDir),
    port: config.port,
    host: config.host,
  });
  logger.info({ service: 'witness', url: witness.url, key: witness.verifierKey, logs: origins }, 'witness listening');
  closeOnSignals('witness', () => witness.close(), config.shutdownGraceMs);
}

main().catch(exitOnStartupError('witness'));
