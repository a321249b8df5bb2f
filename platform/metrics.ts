/**
 * Prometheus metrics (prom-client), one registry per process. Gateway and
 * subgraphs share it when `npm start` runs them in one process; the `service`
 * label tells them apart. Served at /metrics by every service.
 *
 * Labels carry operation names, agency, purpose, code and programme names —
 * never ids, tokens or anything personal: a client chooses operation names
 * and purposes, so their values are normalised (labelValue: a plain name,
 * nothing shaped like a personal code, and capped in number, since
 * unbounded labels would exhaust memory).
 */
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metrics = {
  requests: new Counter({
    name: 'citizen_graph_requests_total',
    help: 'GraphQL requests by service, operation name and outcome (ok, errors, refused)',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers: [registry],
  }),
  requestDuration: new Histogram({
    name: 'citizen_graph_request_duration_seconds',
    help: 'GraphQL request latency by service and operation name',
    labelNames: ['service', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  subgraphFetchDuration: new Histogram({
    name: 'citizen_graph_subgraph_fetch_duration_seconds',
    help: 'Latency of the gateway\'s calls to each subgraph, by outcome (ok, failed, rejected by open circuit)',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  circuitOpen: new Gauge({
    name: 'citizen_graph_subgraph_circuit_open',
    help: '1 while the gateway\'s circuit to a subgraph is open (calls fail fast), else 0',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  }),
  subgraphExecutions: new Counter({
    name: 'citizen_graph_subgraph_executions_total',
    help: 'Operations a subgraph ran, by how: compiled (graphql-jit), or graphql-js (an operation jit cannot compile, or variables it refused)',
    labelNames: ['service', 'execution'] as const,
    registers: [registry],
  }),
  denials: new Counter({
    name: 'citizen_graph_denials_total',
    help: 'Refused requests and denied fields, by declared purpose and error code',
    labelNames: ['purpose', 'code'] as const,
    registers: [registry],
  }),
  auditWriteDuration: new Histogram({
    name: 'citizen_graph_audit_write_duration_seconds',
    help: 'Time to append one request\'s entries to the audit log',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  }),
  offers: new Counter({
    name: 'citizen_graph_offers_total',
    help: 'Proactive offers by programme and event (proposed, granted automatically, accepted, declined, objected, contested, …): the take-up a service owner monitors',
    labelNames: ['programme', 'event'] as const,
    registers: [registry],
  }),
};

/**
 * A label value a client may influence (an operation name, a declared
 * purpose): short, plain, and — since every new value is a new time series
 * held in memory and sent on every scrape — at most MAX_VALUES_PER_LABEL
 * distinct values per label; later newcomers are counted as "other".
 */
const MAX_VALUES_PER_LABEL = 200;
const seenValues = new Map<string, Set<string>>();

/** Six digits in a row may be (part of) a personal code, a phone number or a date of birth: never a label. */
const PERSONAL_SHAPED = /\d{6}/;

export function labelValue(value: string | undefined | null, fallback = 'anonymous', label = fallback): string {
  if (!value) return fallback;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value) || PERSONAL_SHAPED.test(value)) return 'other';
  let seen = seenValues.get(label);
  if (!seen) seenValues.set(label, (seen = new Set()));
  if (seen.has(value)) return value;
  if (seen.size >= MAX_VALUES_PER_LABEL) return 'other';
  seen.add(value);
  return value;
}

/** For the audit layer: how long one append took. */
export function observeAuditWrite(seconds: number): void {
  metrics.auditWriteDuration.observe(seconds);
}

export type OfferEvent = 'proposed' | 'granted_automatically' | 'updated' | 'expired' | 'accepted' | 'declined' | 'objected' | 'contested' | 'withdrawn' | 'recipient_chosen' | 'contest_upheld' | 'contest_rejected';

/** For the benefits subgraph: offer events of one programme (the take-up a service owner watches). */
export function recordOffer(programme: string, event: OfferEvent, n = 1): void {
  metrics.offers.inc({ programme: labelValue(programme, 'unknown', 'programme'), event }, n);
}

export async function metricsRoute(_req: Request, res: Response): Promise<void> {
  res.setHeader('content-type', registry.contentType);
  res.send(await registry.metrics());
}
