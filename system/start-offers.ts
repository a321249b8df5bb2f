/**
 * `npm run start:offers`: the offers batch worker on its own, as deployed in
 * its own container, any number of replicas: it takes page jobs of any run
 * from the job queue (DATABASE_URL_OFFERS) and enqueues the daily run
 * (OFFERS_DAILY_CRON, in the clock's time zone). Life events reach the offers
 * engine through the events service. Configured by OFFERS_*, GATEWAY_URL,
 * OIDC_ISSUER and client offers-engine's credentials (docs/configuration.md).
 */
import { offersConfig } from '../platform/config.ts';
import { logger } from '../platform/logger.ts';
import { closeOnSignals, exitOnStartupError } from '../platform/graceful-shutdown.ts';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../offers/engine.ts';
import { gatewayClient, serviceTokenSource } from '../offers/gateway-client.ts';
import { startOffersService } from '../offers/service.ts';

async function main() {
  const config = offersConfig();
  const client = gatewayClient(config.gatewayUrl, ENGINE_PURPOSE, serviceTokenSource(ENGINE_CLIENT));
  const service = await startOffersService({ queueDatabaseUrl: config.queueDatabaseUrl, client, concurrency: config.concurrency, dailyCron: config.dailyCron, pageSize: config.pageSize, port: config.port, host: config.host });
  logger.info({ service: 'offers', url: service.url, concurrency: config.concurrency, daily: config.dailyCron ?? 'off' }, 'offers worker taking page jobs from the job queue');
  closeOnSignals('offers', () => service.stop(), config.shutdownGraceMs);
}

main().catch(exitOnStartupError('offers'));
