/**
 * The SQL of per-consumer delivery (tables: subgraphs/identity/migrations/003).
 * Claiming takes row locks with FOR UPDATE SKIP LOCKED inside the claiming
 * transaction, held until the outcome is written: a relay that dies mid-batch
 * loses its locks with its connection and the rows are simply pending again
 * (at-least-once), and a second relay never sees a row the first holds.
 */
import type pg from 'pg';

export interface OutboxEvent {
  id: number;
  kind: string;
  subjectId: string;
  payload: Record<string, unknown>;
}

export interface ClaimedDelivery {
  event: OutboxEvent;
  /** Attempts made before this one. */
  attempts: number;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * `after`: a consumer whose delivery of the same event must have been settled
 * first (delivered, or dead-lettered: a dead prerequisite must not stall this
 * consumer for ever).
 */
export async function claimDue(client: Queryable, consumer: string, limit: number, after?: string): Promise<ClaimedDelivery[]> {
  const { rows } = await client.query<{ event_id: string; attempts: number; kind: string; subject_id: string; payload: Record<string, unknown> }>(
    `SELECT d.event_id, d.attempts, o.kind, o.subject_id, o.payload
       FROM outbox_delivery d JOIN outbox o ON o.id = d.event_id
      WHERE d.consumer = $1 AND d.state = 'pending' AND d.next_attempt_at <= now()
        AND ($3::text IS NULL OR EXISTS (
              SELECT 1 FROM outbox_delivery p WHERE p.consumer = $3 AND p.event_id = d.event_id AND p.state IN ('delivered', 'dead')))
      ORDER BY d.event_id
      LIMIT $2
        FOR UPDATE OF d SKIP LOCKED`,
    [consumer, limit, after ?? null],
  );
  return rows.map((r) => ({ attempts: r.attempts, event: { id: Number(r.event_id), kind: r.kind, subjectId: r.subject_id, payload: r.payload } }));
}

export async function markDelivered(client: Queryable, consumer: string, eventId: number): Promise<void> {
  await client.query(
    `UPDATE outbox_delivery SET state = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE consumer = $1 AND event_id = $2`,
    [consumer, eventId],
  );
}

/** A failed attempt: retried after `delayMs`, or dead-lettered when `delayMs` is undefined. */
export async function markFailed(client: Queryable, consumer: string, eventId: number, error: string, delayMs: number | undefined): Promise<void> {
  await client.query(
    `UPDATE outbox_delivery
        SET attempts = attempts + 1, last_error = left($3, 500),
            state = CASE WHEN $4::int IS NULL THEN 'dead' ELSE 'pending' END,
            next_attempt_at = now() + make_interval(secs => coalesce($4::int, 0) / 1000.0)
      WHERE consumer = $1 AND event_id = $2`,
    [consumer, eventId, error, delayMs ?? null],
  );
}

/**
 * Marks events every consumer has received (outbox.delivered_at). Run after a
 * commit: whichever relay commits the last delivery of an event sees every other
 * commit, so one of them marks it; a relay that died in between is covered by
 * the next pass of any relay.
 */
export async function settleOutbox(client: Queryable): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE outbox o SET delivered_at = now()
      WHERE o.delivered_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM outbox_delivery d WHERE d.event_id = o.id AND d.state <> 'delivered')`,
  );
  return rowCount ?? 0;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** Rows per consumer and state (metrics). */
export async function deliveryCounts(client: Queryable): Promise<{ consumer: string; state: DeliveryState; n: number }[]> {
  const { rows } = await client.query<{ consumer: string; state: DeliveryState; n: number }>(
    `SELECT c.name AS consumer, s.state, count(d.event_id)::int AS n
       FROM outbox_consumer c CROSS JOIN unnest(ARRAY['pending', 'delivered', 'dead']) AS s(state)
       LEFT JOIN outbox_delivery d ON d.consumer = c.name AND d.state = s.state
      GROUP BY c.name, s.state ORDER BY c.name, s.state`,
  );
  return rows;
}

export interface DeadLetter {
  eventId: number;
  consumer: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date;
}

export async function listDead(client: Queryable, options: { consumer?: string; limit?: number } = {}): Promise<DeadLetter[]> {
  const { rows } = await client.query<{ event_id: string; consumer: string; kind: string; attempts: number; last_error: string | null; created_at: Date; next_attempt_at: Date }>(
    `SELECT d.event_id, d.consumer, o.kind, d.attempts, d.last_error, o.created_at, d.next_attempt_at
       FROM outbox_delivery d JOIN outbox o ON o.id = d.event_id
      WHERE d.state = 'dead' AND ($1::text IS NULL OR d.consumer = $1)
      ORDER BY d.event_id, d.consumer LIMIT $2`,
    [options.consumer ?? null, options.limit ?? 100],
  );
  return rows.map((r) => ({ eventId: Number(r.event_id), consumer: r.consumer, kind: r.kind, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at, lastAttemptAt: r.next_attempt_at }));
}

/** Dead letters back to pending with a fresh retry budget: all of them, one consumer's, or named events'. Returns how many. */
export async function replayDead(client: Queryable, options: { consumer?: string; eventIds?: number[] } = {}): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE outbox_delivery SET state = 'pending', attempts = 0, next_attempt_at = now()
      WHERE state = 'dead' AND ($1::text IS NULL OR consumer = $1) AND ($2::bigint[] IS NULL OR event_id = ANY($2))`,
    [options.consumer ?? null, options.eventIds ?? null],
  );
  return rowCount ?? 0;
}

export async function knownConsumers(client: Queryable): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('SELECT name FROM outbox_consumer ORDER BY name');
  return rows.map((r) => r.name);
}
