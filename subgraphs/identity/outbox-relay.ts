/**
 * Publishes the population register's outbox: every event is handed to the
 * consumers in id order and marked delivered only after all of them confirmed
 * (at-least-once; consumers are idempotent by event id). LISTEN/NOTIFY wakes
 * the relay at commit of a new event (sub-second); polling every few seconds
 * catches anything a dropped connection missed. Owned by identity: it reads
 * identity's own outbox table and nothing else.
 */
import pg from 'pg';

export interface OutboxEvent {
  id: number;
  kind: string;
  subjectId: string;
  payload: Record<string, unknown>;
}

export type Consumer = (event: OutboxEvent) => Promise<void>;

export interface RelayOptions {
  identityUrl: string;
  consumers: Consumer[];
  pollMs?: number;
  batchSize?: number;
  onError?: (error: unknown, event?: OutboxEvent) => void;
  onDelivered?: (event: OutboxEvent) => void;
}

export interface RunningRelay {
  /** Stops after the event in hand (graceful). */
  stop(): Promise<void>;
  /** Resolves when nothing is waiting for delivery (tests). */
  idle(): Promise<void>;
}

const CHANNEL = 'identity_outbox';

export async function startOutboxRelay(options: RelayOptions): Promise<RunningRelay> {
  const pollMs = options.pollMs ?? 2_000;
  const batchSize = options.batchSize ?? 100;
  const pool = new pg.Pool({ connectionString: options.identityUrl, max: 2 });
  pool.on('error', () => {});
  let listener: pg.Client | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const deliverPending = async () => {
    for (;;) {
      const { rows } = await pool.query<{ id: number; kind: string; subject_id: string; payload: Record<string, unknown> }>(
        'SELECT id, kind, subject_id, payload FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT $1',
        [batchSize],
      );
      if (rows.length === 0 || stopped) return;
      for (const row of rows) {
        if (stopped) return;
        const event: OutboxEvent = { id: Number(row.id), kind: row.kind, subjectId: row.subject_id, payload: row.payload };
        try {
          for (const consume of options.consumers) await consume(event);
        } catch (error) {
          // Left undelivered: retried on the next wake-up or poll, in order.
          await pool.query('UPDATE outbox SET attempts = attempts + 1 WHERE id = $1', [event.id]).catch(() => {});
          options.onError?.(error, event);
          return;
        }
        await pool.query('UPDATE outbox SET delivered_at = now() WHERE id = $1', [event.id]);
        options.onDelivered?.(event);
      }
    }
  };

  /** One delivery pass at a time; a wake-up during a pass runs another right after. */
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = deliverPending()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          kick();
        }
      });
  };

  const listen = async () => {
    const client = new pg.Client({ connectionString: options.identityUrl });
    client.on('error', () => {
      // Polling carries on; reconnect the listener shortly.
      listener = undefined;
      if (!stopped) setTimeout(() => void listen().catch(() => {}), pollMs);
    });
    await client.connect();
    client.on('notification', kick);
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  };

  await listen();
  const poll = () => {
    kick();
    timer = setTimeout(poll, pollMs);
  };
  poll();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await listener?.end().catch(() => {});
      await pool.end().catch(() => {});
    },
    async idle() {
      for (;;) {
        await running;
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE delivered_at IS NULL');
        if (rows[0]!.n === 0 && !running) return;
        kick();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
