/**
 * The events service: the outbox relay with the two life-event consumers,
 * and /health, /ready and /metrics. Stateless: any number of replicas share
 * the deliveries (events/relay.ts).
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { listen } from '../platform/listen.ts';
import { registry } from '../platform/metrics.ts';
import type { TokenSource } from '../offers/gateway-client.ts';
import { CONSUMER_ORDER, lifeEventConsumers } from './consumers.ts';
import { readDeliveriesFrom } from './metrics.ts';
import { startOutboxRelay, type Consumer, type RunningRelay } from './relay.ts';
import type { RetryPolicy } from './retry.ts';

export interface EventsServiceOptions {
  identityUrl: string;
  gatewayUrl: string;
  relayToken: TokenSource;
  engineToken: TokenSource;
  /** Replace the consumers (tests); with them, no order between consumers unless `after` is given. */
  consumers?: Record<string, Consumer>;
  after?: Record<string, string>;
  retry?: RetryPolicy;
  pollMs?: number;
  /** Undefined: no HTTP server (in-process use by `npm start` and tests). */
  port?: number;
  host?: string;
  onError?: (error: unknown) => void;
}

export interface RunningEvents extends RunningRelay {
  url?: string;
}

export async function startEventsService(options: EventsServiceOptions): Promise<RunningEvents> {
  const relay = await startOutboxRelay({
    identityUrl: options.identityUrl,
    consumers: options.consumers ?? lifeEventConsumers(options),
    after: options.consumers ? options.after : CONSUMER_ORDER,
    retry: options.retry,
    pollMs: options.pollMs,
    onError: options.onError,
  });
  if (options.port === undefined) return relay;
  const gauges = new pg.Pool({ connectionString: options.identityUrl, max: 1 });
  gauges.on('error', () => {});
  readDeliveriesFrom(gauges);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
    } else if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/ready') {
      const ready = relay.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'population register unreachable' }));
    } else if (path === '/metrics') {
      void registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host, 'EVENTS_PORT');
  return {
    ...relay,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.stop();
      readDeliveriesFrom(undefined);
      await gauges.end().catch(() => {});
    },
  };
}
