/**
 * The population register's outbox, delivered to each consumer on its own
 * (family register, offers). Per consumer, a relay claims a batch of due
 * deliveries (FOR UPDATE SKIP LOCKED: any number of relays share the work and
 * never deliver one row twice), hands each event to the consumer, and writes
 * the outcome in the same transaction: delivered, retried later with backoff
 * and jitter (events/retry.ts), or dead-lettered after the limit. A failing
 * consumer only delays its own deliveries.
 *
 * At-least-once: a relay that dies before committing leaves its batch pending
 * for the next claim, so consumers must be idempotent (both are, by event id).
 * LISTEN/NOTIFY wakes the relay at commit of a new event; polling every few
 * seconds picks up retries that fell due and anything a dropped connection missed.
 */
import pg from 'pg';
import { logger } from '../platform/logger.ts';
import { eventsMetrics } from './metrics.ts';
import { afterFailure, DEFAULT_RETRY_POLICY, failureNote, PermanentDeliveryError, type RetryPolicy } from './retry.ts';
import { claimDue, markDelivered, markFailed, settleOutbox, type OutboxEvent } from './store.ts';

export type { OutboxEvent } from './store.ts';

/** Delivers one event; throws to have it retried. The signal aborts when the relay gives up waiting. */
export type Consumer = (event: OutboxEvent, signal: AbortSignal) => Promise<void>;

export interface RelayOptions {
  identityUrl: string;
  /** By name, as listed in outbox_consumer. */
  consumers: Record<string, Consumer>;
  /**
   * Consumers that take an event only after another consumer settled it (delivered or
   * dead-lettered): the offers engine reads the family register's record of a birth.
   */
  after?: Record<string, string>;
  pollMs?: number;
  batchSize?: number;
  retry?: RetryPolicy;
  /** A consumer call taking longer fails (and is retried). */
  consumerTimeoutMs?: number;
  /** [0, 1) for jitter (tests fix it). */
  random?: () => number;
  onError?: (error: unknown, consumer?: string, event?: OutboxEvent) => void;
}

export interface RunningRelay {
  /** Stops after the batches in hand (graceful). */
  stop(): Promise<void>;
  /** Resolves when none of this relay's consumers has a delivery pending (tests). */
  idle(): Promise<void>;
  /** True while the relay's connections to the register are up (readiness). */
  ready(): boolean;
}

const CHANNEL = 'identity_outbox';
const log = logger.child({ service: 'events' });

export async function startOutboxRelay(options: RelayOptions): Promise<RunningRelay> {
  const pollMs = options.pollMs ?? 2_000;
  const batchSize = options.batchSize ?? 50;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const timeoutMs = options.consumerTimeoutMs ?? 30_000;
  const random = options.random ?? Math.random;
  const names = Object.keys(options.consumers);
  // One connection per consumer holds its batch's locks; one more settles and answers idle().
  const pool = new pg.Pool({ connectionString: options.identityUrl, max: names.length + 1 });
  let poolHealthy = true;
  pool.on('error', () => {
    poolHealthy = false;
  });
  let listener: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const stopping = new AbortController();

  const deliverOne = async (client: pg.PoolClient, consumer: string, event: OutboxEvent, attemptsBefore: number) => {
    const started = performance.now();
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping.signal]);
    try {
      await Promise.race([
        options.consumers[consumer]!(event, signal),
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true })),
      ]);
      await markDelivered(client, consumer, event.id);
      eventsMetrics.attempts.inc({ consumer, outcome: 'delivered' });
    } catch (error) {
      const message = failureNote(error);
      const next = error instanceof PermanentDeliveryError ? ({ kind: 'dead' } as const) : afterFailure(attemptsBefore + 1, retry, random());
      await markFailed(client, consumer, event.id, message, next.kind === 'retry' ? next.delayMs : undefined);
      eventsMetrics.attempts.inc({ consumer, outcome: next.kind === 'dead' ? 'dead_lettered' : 'failed' });
      if (next.kind === 'dead') log.error({ consumer, eventId: event.id, attempts: attemptsBefore + 1, error: message }, 'life event dead-lettered: replay with `npm run events -- replay`');
      options.onError?.(error, consumer, event);
    } finally {
      eventsMetrics.duration.observe({ consumer }, (performance.now() - started) / 1000);
    }
  };

  /** One batch of one consumer in one transaction; true when a batch was found (there may be more). */
  const deliverBatch = async (consumer: string): Promise<boolean> => {
    const client = await pool.connect();
    let found: number;
    try {
      await client.query('BEGIN');
      const claimed = await claimDue(client, consumer, batchSize, options.after?.[consumer]);
      found = claimed.length;
      for (const { event, attempts } of claimed) {
        // Stopping: what is left of the batch is released unattempted (the rollback-free way: commit what is done).
        if (stopped) break;
        await deliverOne(client, consumer, event, attempts);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    if (found > 0) {
      await settleOutbox(pool);
      // What waited for this consumer may now be due (other replicas see it on their next poll).
      for (const [dependent, prerequisite] of Object.entries(options.after ?? {})) if (prerequisite === consumer) kick(dependent);
    }
    return found > 0 && !stopped;
  };

  // Per consumer: one pass at a time; a wake-up during a pass runs another right after.
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const kick = (consumer: string) => {
    if (stopped) return;
    if (running.has(consumer)) {
      again.add(consumer);
      return;
    }
    const pass = (async () => {
      while (await deliverBatch(consumer));
    })()
      .then(() => {
        poolHealthy = true;
      })
      .catch((error: unknown) => options.onError?.(error, consumer))
      .finally(() => {
        running.delete(consumer);
        if (again.delete(consumer)) kick(consumer);
      });
    running.set(consumer, pass);
  };
  const kickAll = () => names.forEach(kick);

  const listen = async () => {
    const client = new pg.Client({ connectionString: options.identityUrl });
    client.on('error', () => {
      // Polling carries on; reconnect the listener shortly.
      listener = undefined;
      if (!stopped) setTimeout(() => void listen().catch(() => {}), pollMs);
    });
    await client.connect();
    client.on('notification', kickAll);
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  };

  await listen();
  const poll = () => {
    kickAll();
    timer = setTimeout(poll, pollMs);
  };
  poll();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(running.values());
      stopping.abort();
      await listener?.end().catch(() => {});
      await pool.end().catch(() => {});
    },
    async idle() {
      for (;;) {
        await Promise.all(running.values());
        const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_delivery WHERE state = 'pending' AND consumer = ANY($1)`, [names]);
        if (rows[0]!.n === 0 && running.size === 0) return;
        kickAll();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    ready: () => !stopped && listener !== undefined && poolHealthy,
  };
}
