/**
 * The events service's delivery on a real PostgreSQL (a scratch population
 * register, events written straight into its outbox): two relays racing, a
 * consumer that always fails beside one that works, dead letters in the
 * metrics and the CLI, replay; and the backoff rule on its own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxRelay, type Consumer, type RunningRelay } from '../../events/relay.ts';
import { afterFailure, failureNote, PermanentDeliveryError, type RetryPolicy } from '../../events/retry.ts';
import { startEventsService } from '../../events/service.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';

const run = promisify(execFile);
let scratch: ScratchDatabases;
let db: pg.Client;
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const noTokens = async () => 'unused';

beforeAll(async () => {
  scratch = await startScratchDatabases();
  db = new pg.Client({ connectionString: scratch.urls.identity });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await scratch?.stop();
});

/** n events in one transaction; their ids. */
async function emit(n: number, kind = 'test-event'): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO outbox (kind, subject_id, payload) SELECT $1, lpad(i::text, 11, '0'), jsonb_build_object('i', i) FROM generate_series(1, $2) AS i RETURNING id`,
    [kind, n],
  );
  return rows.map((r) => Number(r.id));
}

/** A consumer that counts what it receives, per event, taking a little time like a real call. */
function counting(seen: Map<number, number>, byRelay?: { n: number }): Consumer {
  return async (event) => {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
    if (byRelay) byRelay.n += 1;
  };
}

const undelivered = async (ids: number[]) =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1) AND delivered_at IS NULL', [ids])).rows[0]!.n;

describe('per-consumer delivery', () => {
  it('a new event owes one delivery to each consumer, written in its own transaction (a rolled-back event owes none)', async () => {
    await db.query('BEGIN');
    const { rows } = await db.query<{ id: string }>(`INSERT INTO outbox (kind, subject_id, payload) VALUES ('test-event', '00000000000', '{}') RETURNING id`);
    await db.query('ROLLBACK');
    const [id] = await emit(1);
    const { rows: owed } = await db.query<{ event_id: string; consumer: string }>('SELECT event_id, consumer FROM outbox_delivery WHERE event_id = ANY($1) ORDER BY consumer', [[Number(rows[0]!.id), id]]);
    expect(owed.map((r) => [Number(r.event_id), r.consumer])).toEqual([[id, 'family-register'], [id, 'offers']]);
    await db.query(`UPDATE outbox_delivery SET state = 'delivered' WHERE event_id = $1`, [id]);
  });

  it('two relays racing over the same outbox deliver every event exactly once to each consumer, and share the work', async () => {
    const family = new Map<number, number>();
    const offers = new Map<number, number>();
    const work = [{ n: 0 }, { n: 0 }];
    const relays: RunningRelay[] = [];
    for (const share of work) {
      relays.push(await startOutboxRelay({ identityUrl: scratch.urls.identity, consumers: { 'family-register': counting(family, share), offers: counting(offers, share) }, batchSize: 5, pollMs: 200 }));
    }
    try {
      const ids = [...(await emit(150)), ...(await emit(50))];
      await Promise.all(relays.map((r) => r.idle()));
      for (const seen of [family, offers]) {
        expect([...seen.keys()].sort((a, b) => a - b)).toEqual(ids);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
      }
      expect(work[0]!.n).toBeGreaterThan(0);
      expect(work[1]!.n).toBeGreaterThan(0);
      expect(work[0]!.n + work[1]!.n).toBe(2 * ids.length);
      expect(await undelivered(ids)).toBe(0);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  it('a consumer that always fails is retried, then dead-lettered (metrics, CLI), while the other (even one ordered after it) gets every event; replay delivers them', async () => {
    const offers = new Map<number, number>();
    const family = new Map<number, number>();
    let familyDown = true;
    const familyRegister: Consumer = async (event, signal) => {
      if (familyDown) throw new Error('family register unavailable');
      await counting(family)(event, signal);
    };
    const service = await startEventsService({
      identityUrl: scratch.urls.identity,
      gatewayUrl: 'http://127.0.0.1:9/graphql',
      relayToken: noTokens,
      engineToken: noTokens,
      consumers: { 'family-register': familyRegister, offers: counting(offers) },
      // As in production: offers only after the family register settled the event (here: gave up on it).
      after: { offers: 'family-register' },
      retry: FAST,
      pollMs: 50,
      port: 0,
    });
    try {
      const ids = await emit(30);
      await service.idle();
      expect([...offers.keys()].sort((a, b) => a - b)).toEqual(ids);
      const { rows } = await db.query<{ state: string; attempts: number; last_error: string }>(
        `SELECT state, attempts, last_error FROM outbox_delivery WHERE consumer = 'family-register' AND event_id = ANY($1)`, [ids]);
      expect(rows).toHaveLength(30);
      expect(rows.every((r) => r.state === 'dead' && r.attempts === FAST.maxAttempts && r.last_error === 'family register unavailable')).toBe(true);
      expect(await undelivered(ids)).toBe(30);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/citizen_graph_events_deliveries\{consumer="family-register",state="dead"\} 30\b/);
      expect(metrics).toMatch(/citizen_graph_events_delivery_attempts_total\{consumer="family-register",outcome="dead_lettered"\} 30\b/);
      expect(metrics).toMatch(/citizen_graph_events_delivery_attempts_total\{consumer="family-register",outcome="failed"\} 60\b/);
      expect((await fetch(`${service.url}/ready`)).status).toBe(200);
      expect((await fetch(`${service.url}/health`)).status).toBe(200);

      const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'events/cli.ts', ...args], { env: { ...process.env, DATABASE_URL_IDENTITY: scratch.urls.identity } });
      const listed = (await cli('dead', '--consumer', 'family-register', '--limit', '1000')).stdout;
      for (const id of ids) expect(listed).toContain(`event ${id}  family-register  test-event  3 attempts`);
      await expect(cli('replay', '--consumer', 'no-such')).rejects.toMatchObject({ stderr: expect.stringContaining('no consumer "no-such"') });

      familyDown = false;
      expect((await cli('replay', '--all', '--consumer', 'family-register')).stdout).toContain('30 dead letter(s) back to pending');
      await service.idle();
      expect([...family.keys()].sort((a, b) => a - b)).toEqual(ids);
      expect(await undelivered(ids)).toBe(0);
      expect((await cli('dead')).stdout).toContain('no dead letters');
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('a refusal no retry can change (a forged event) is dead-lettered at the first attempt', async () => {
    const relay = await startOutboxRelay({
      identityUrl: scratch.urls.identity,
      consumers: { 'family-register': async () => { throw new PermanentDeliveryError('LIFE_EVENT_NOT_ATTESTED'); }, offers: async () => {} },
      retry: { ...FAST, maxAttempts: 50 },
      pollMs: 50,
    });
    try {
      const [id] = await emit(1, 'birth-registered');
      await relay.idle();
      const { rows } = await db.query('SELECT state, attempts FROM outbox_delivery WHERE event_id = $1 ORDER BY consumer', [id]);
      expect(rows).toEqual([{ state: 'dead', attempts: 1 }, { state: 'delivered', attempts: 1 }]);
    } finally {
      await relay.stop();
    }
  });
});

describe('afterFailure (backoff with jitter, then dead letter)', () => {
  const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 6_000 };
  it('doubles the ceiling per attempt, waits between half of it and all of it, and never past the cap', () => {
    expect(afterFailure(1, policy, 0)).toEqual({ kind: 'retry', delayMs: 500 });
    expect(afterFailure(1, policy, 0.999_999)).toEqual({ kind: 'retry', delayMs: 999 });
    expect(afterFailure(3, policy, 0)).toEqual({ kind: 'retry', delayMs: 2_000 });
    expect(afterFailure(4, policy, 0.5)).toEqual({ kind: 'retry', delayMs: 4_500 });
  });
  it('keeps no personal code in the note of a failure', () => {
    expect(failureNote(new Error('39001010001 is not a personal code (born 19900101)'))).toBe('… is not a personal code (born …)');
    expect(failureNote('x'.repeat(400))).toHaveLength(300);
  });
  it('dead-letters at the limit', () => {
    expect(afterFailure(5, policy, 0.5)).toEqual({ kind: 'dead' });
    expect(afterFailure(99, policy, 0.5)).toEqual({ kind: 'dead' });
  });
  it('stays finite for huge attempt counts and refuses nonsense', () => {
    expect(afterFailure(1_000, { ...policy, maxAttempts: 10_000 }, 1)).toEqual({ kind: 'retry', delayMs: 6_000 });
    expect(() => afterFailure(0, policy, 0.5)).toThrow(RangeError);
  });
});
