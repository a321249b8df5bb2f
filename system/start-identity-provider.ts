/**
 * `npm run start:identity-provider`: the development OpenID provider alone
 * (IDENTITY_PROVIDER_PORT, default 4020), for a gateway started on its own
 * with `npm run start:gateway`. Development only: production uses the
 * state's provider (AUTH_ISSUER, docs/configuration.md).
 */
import { startIdentityProvider, DEFAULT_IDENTITY_PROVIDER_PORT } from '../identity-provider/server.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { logger } from '../platform/logger.ts';
import { StartupError } from '../platform/startup-error.ts';

async function main() {
  if (process.env.NODE_ENV === 'production') throw new StartupError('the development identity provider does not run in production: point AUTH_ISSUER at your identity provider');
  const raw = process.env.IDENTITY_PROVIDER_PORT;
  const port = raw ? Number(raw) : DEFAULT_IDENTITY_PROVIDER_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`IDENTITY_PROVIDER_PORT must be a port number 0-65535, not "${String(raw).slice(0, 20)}"`);
  const provider = await startIdentityProvider({ port, host: process.env.HOST ?? '127.0.0.1' });
  logger.info({ service: 'identity-provider', issuer: provider.issuer }, 'development identity provider listening');
  console.log(`development identity provider: ${provider.issuer} (discovery ${provider.issuer}/.well-known/openid-configuration)`);
  closeOnSignals('identity-provider', () => provider.close(), 5_000);
}

main().catch(exitOnStartupError('identity-provider'));
