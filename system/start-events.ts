/**
 * `npm run start:events`: the life-event relay on its own (events/), as
 * deployed in its own container, any number of replicas. Configured by
 * DATABASE_URL_IDENTITY, GATEWAY_URL, OIDC_ISSUER and the clients' credentials,
 * EVENTS_* (docs/configuration.md).
 */
import { eventsConfig } from '../platform/config.ts';
import { logger } from '../platform/logger.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { serviceTokenSource } from '../offers/gateway-client.ts';
import { ENGINE_CLIENT, RELAY_CLIENT } from '../events/consumers.ts';
import { startEventsService } from '../events/service.ts';
import { failureNote } from '../events/retry.ts';

async function main() {
  const config = eventsConfig();
  const log = logger.child({ service: 'events' });
  const events = await startEventsService({
    identityUrl: config.identityDatabaseUrl,
    gatewayUrl: config.gatewayUrl,
    relayToken: serviceTokenSource(RELAY_CLIENT),
    engineToken: serviceTokenSource(ENGINE_CLIENT),
    retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseMs, maxDelayMs: config.retryMaxMs },
    pollMs: config.pollMs,
    port: config.port,
    host: config.host,
    onError: (error) => log.warn({ err: { message: failureNote(error) } }, 'life event not delivered yet'),
  });
  log.info({ url: events.url }, 'events service relaying the population register outbox');
  closeOnSignals('events', () => events.stop(), config.shutdownGraceMs);
}

main().catch(exitOnStartupError('events'));
