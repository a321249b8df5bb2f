/**
 * The events service's metrics, on the shared registry (platform/metrics.ts):
 * attempts by outcome as they happen, and, read from the register's tables at
 * each scrape, how many deliveries each consumer has pending, delivered and
 * dead-lettered — a dead letter is an operator's alert, whichever replica saw it.
 */
import type pg from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../platform/metrics.ts';
import { deliveryCounts } from './store.ts';

let source: pg.Pool | undefined;

export const eventsMetrics = {
  attempts: new Counter({
    name: 'citizen_graph_events_delivery_attempts_total',
    help: 'Life-event delivery attempts by consumer and outcome (delivered, failed and retried later, dead_lettered)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  }),
  duration: new Histogram({
    name: 'citizen_graph_events_delivery_duration_seconds',
    help: 'Time a consumer took to take one life event',
    labelNames: ['consumer'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  }),
  deliveries: new Gauge({
    name: 'citizen_graph_events_deliveries',
    help: 'Life-event deliveries by consumer and state (pending, delivered, dead): dead ones wait for `npm run events -- replay`',
    labelNames: ['consumer', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!source) return;
      try {
        const counts = await deliveryCounts(source);
        this.reset();
        for (const { consumer, state, n } of counts) this.set({ consumer, state }, n);
      } catch {
        // The register unreachable: the last known values stay, readiness reports the outage.
      }
    },
  }),
};

/** The database the delivery gauge is read from (the events service's pool). */
export function readDeliveriesFrom(pool: pg.Pool | undefined): void {
  source = pool;
}
