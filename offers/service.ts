/**
 * The offers service: page jobs of the batch from the job queue (offers/queue.ts),
 * the daily schedule, and /health, /ready, /metrics. Stateless: any number of
 * replicas share the runs.
 */
import { createServer } from 'node:http';
import { Counter } from 'prom-client';
import { listen } from '../platform/listen.ts';
import { registry } from '../platform/metrics.ts';
import { TIME_ZONE } from '../platform/clock.ts';
import type { GatewayClient } from './gateway-client.ts';
import { startOffersQueue, type OffersQueue } from './queue.ts';

const pagesDone = new Counter({ name: 'citizen_graph_offers_batch_pages_total', help: 'Offers batch pages evaluated and recorded by this process', registers: [registry] });
const citizensDone = new Counter({ name: 'citizen_graph_offers_batch_citizens_total', help: 'Citizens evaluated by the offers batch in this process', registers: [registry] });

export interface OffersServiceOptions {
  queueDatabaseUrl: string;
  client: GatewayClient;
  concurrency: number;
  dailyCron?: string;
  pageSize?: number;
  port: number;
  host?: string;
}

export async function startOffersService(options: OffersServiceOptions): Promise<{ url: string; queue: OffersQueue; stop(): Promise<void> }> {
  const queue = await startOffersQueue({
    databaseUrl: options.queueDatabaseUrl,
    client: options.client,
    concurrency: options.concurrency,
    daily: options.dailyCron ? { cron: options.dailyCron, timeZone: TIME_ZONE, pageSize: options.pageSize } : undefined,
    onPage: (_run, _page, citizens) => {
      pagesDone.inc();
      citizensDone.inc(citizens);
    },
  });
  let stopping = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
    else if (path === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else if (path === '/ready') {
      void (stopping ? Promise.resolve(false) : queue.ready()).then((ready) =>
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : stopping ? 'stopping' : 'job queue database unreachable' })),
      );
    }
    else if (path === '/metrics') {
      void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text), () => res.writeHead(500).end());
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host, 'OFFERS_PORT');
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    queue,
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.stop();
    },
  };
}
