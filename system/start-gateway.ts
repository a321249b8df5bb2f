/**
 * `npm run start:gateway`: the gateway alone, as deployed in its own
 * container, configured by environment variables (docs/configuration.md).
 * Tokens are verified with the keys of AUTH_ISSUER's discovery document
 * (outside production, the development provider's by default, whose token
 * shortcut it then serves at POST /dev/token).
 */
import { discoveredKeySet } from '../gateway/auth/authenticate.ts';
import { startGateway } from '../gateway/server.ts';
import { loadPolicy } from '../permissions/load.ts';
import { logger } from '../platform/logger.ts';
import { gatewayConfig } from '../platform/config.ts';
import { importContextPrivateKey } from '../platform/context-keys.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  const config = gatewayConfig();
  const policy = loadPolicy();
  const gateway = await startGateway({
    port: config.port,
    host: config.host,
    policy,
    subgraphUrls: config.subgraphUrls,
    contextSigningKey: await importContextPrivateKey(config.contextPrivateKey),
    auth: { key: discoveredKeySet(config.auth.issuer, { jwksUrl: config.auth.jwksUrl }), issuer: config.auth.issuer, audience: config.auth.audience, claims: config.auth.claims },
    devTokenUrl: config.devTokenUrl,
    strictByDefault: config.strictByDefault,
    tokenLifetimes: config.tokenLifetimes,
    hardening: config.hardening,
    resilience: config.resilience,
    audit: config.auditDatabaseUrl ? { databaseUrl: config.auditDatabaseUrl, checkpoints: config.auditLog } : undefined,
  });
  if (config.auditDatabaseUrl && !config.auditLog) logger.warn({ service: 'gateway' }, 'AUDIT_LOG_KEY is not set: the audit log is not checkpointed or witnessed (development only)');
  if (!config.auditDatabaseUrl) logger.warn({ service: 'gateway' }, 'DATABASE_URL_AUDIT is not set: reads are NOT audited (development only)');
  logger.info({ service: 'gateway', url: gateway.url, issuer: config.auth.issuer, production: config.production }, 'gateway listening');
  closeOnSignals('gateway', () => gateway.close(), config.shutdownGraceMs);
}

main().catch(exitOnStartupError('gateway'));
