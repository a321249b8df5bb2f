/**
 * Checkpoints of the audit log, and the gate they drive.
 *
 * Every `tickMs` one gateway replica — whichever holds the tree's advisory
 * lock on its own connection; the others only read — takes the records the
 * tree does not have yet into it (a salt per record, its leaf, every perfect
 * node completed), signs a checkpoint (origin, size, root; the signature has
 * the time and the key id) at most every `intervalMs` while records arrive,
 * and sends the newest to every witness with a consistency proof from the
 * size that witness last cosigned. Cosignatures are stored beside the
 * checkpoints.
 *
 * Every replica reads, each tick, how far witnessing lags: the quorum-th
 * largest size the trusted witnesses cosigned, and when the first record
 * after it was written. `mayServe()` is false once that record is older than
 * `unwitnessedLimitMs` (or the lag cannot be read for that long): the gateway
 * then refuses personal data with AUDIT_UNAVAILABLE, as X-Road stops when
 * time-stamping lags, and serves again as soon as a witness cosigns.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Gauge } from 'prom-client';
import { logger } from '../../platform/logger.ts';
import { registry } from '../../platform/metrics.ts';
import { openCheckpoint, signCheckpoint } from '../../platform/tlog/checkpoint.ts';
import { recordLeaf } from '../../platform/tlog/leaf.ts';
import { Frontier, assemble, consistencyPlan, nodeKey, planNodes, rootPlan, type Hash } from '../../platform/tlog/merkle.ts';
import type { Signer } from '../../platform/tlog/note.ts';
import { appendToTree, cosignedSizes, fetchNodes, insertCheckpoint, insertCosignature, latestCheckpoint, recordsAfter, treeSize, witnessLag, type WitnessLag } from './tree-store.ts';
import { submitCheckpoint, witnessKey, type WitnessEndpoint } from './witness-client.ts';

export interface CheckpointOptions {
  /** The log's key; its name is the checkpoints' origin. */
  signer: Signer;
  witnesses: readonly WitnessEndpoint[];
  /** Witnesses that must have cosigned a record before it counts as witnessed. */
  quorum: number;
  /** A new checkpoint at most this often while records arrive (≤ 10 s). */
  intervalMs: number;
  /** Refuse personal data once a record has waited this long for a cosignature. */
  unwitnessedLimitMs: number;
  /** How often the tree is extended and the lag read (default: a fifth of the interval, at most 1 s). */
  tickMs?: number;
  witnessTimeoutMs?: number;
}

export interface Checkpointer {
  mayServe(): boolean;
  /** The last lag read, for /ready and tests. */
  status(): { witnessedSize: number; unwitnessedForMs: number; checkedAt?: Date } | undefined;
  /** One round now (tests; start-up). */
  runOnce(): Promise<void>;
  close(): Promise<void>;
}

const TREE_LOCK = `SELECT pg_try_advisory_lock(hashtext('citizen-graph.audit-tree')) AS locked`;
const PAGE = 2_000;
const MAX_PER_ROUND = 50_000;

const unwitnessedGauge = new Gauge({
  name: 'citizen_graph_audit_unwitnessed_seconds',
  help: 'How long the oldest audit record no witness quorum has cosigned has been waiting (0: none); personal data is refused past the configured limit',
  registers: [registry],
});
const treeSizeGauge = new Gauge({ name: 'citizen_graph_audit_tree_size', help: 'Records in the audit log\'s Merkle tree', registers: [registry] });
const witnessedGauge = new Gauge({ name: 'citizen_graph_audit_witnessed_size', help: 'Records covered by a checkpoint the witness quorum cosigned', registers: [registry] });

export async function startCheckpointer(databaseUrl: string, options: CheckpointOptions): Promise<Checkpointer> {
  // The lag is read every tick by every replica: one connection of its own.
  const db = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, application_name: 'citizen-graph audit-lag' });
  db.on('error', () => {});
  const tickMs = options.tickMs ?? Math.min(1_000, Math.max(50, Math.floor(options.intervalMs / 5)));
  const witnessTimeoutMs = options.witnessTimeoutMs ?? 3_000;
  const witnessKeys = options.witnesses.map((w) => witnessKey(w.verifier));
  const origin = options.signer.name;

  let leader: pg.Client | undefined;
  let frontier: Frontier | undefined;
  let signed: { size: number; note: string; at: number } | undefined;
  let witnessed: Map<string, number> | undefined;
  let lag: { value: WitnessLag; checkedAt: number } | undefined;
  let stalled = false; // a gap in the records: logged once
  let roundFailing = false; // a failing round (store down): logged once
  let lagFailing = false;
  const lastWitnessProblem = new Map<string, string>();

  // One connection of its own, kept: the tree's lock lives as long as its session (a replica that dies releases it).
  let connection: pg.Client | undefined;
  async function becomeLeader(): Promise<pg.Client | undefined> {
    if (leader) return leader;
    if (!connection) {
      const client = new pg.Client({ connectionString: databaseUrl, application_name: 'citizen-graph audit-tree' });
      client.on('error', () => {}); // a broken connection is noticed by the next query, which drops it
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      connection = client;
    }
    const { rows } = await connection.query<{ locked: boolean }>(TREE_LOCK);
    if (!rows[0]?.locked) return undefined;
    leader = connection;
    frontier = undefined;
    signed = undefined;
    witnessed = undefined;
    return leader;
  }

  async function loadFrontier(client: pg.Client): Promise<Frontier> {
    const size = await treeSize(client);
    const plan = rootPlan(size);
    const nodes = await fetchNodes(client, plan);
    return new Frontier(size, plan.map((n) => nodes.get(nodeKey(n))!));
  }

  async function extendTree(client: pg.Client): Promise<void> {
    frontier ??= await loadFrontier(client);
    for (let taken = 0; taken < MAX_PER_ROUND; ) {
      const records = await recordsAfter(client, frontier.size, PAGE);
      if (records.length === 0) return;
      const next = frontier.clone();
      const salts: { seq: number; salt: Uint8Array }[] = [];
      const nodes: { level: number; index: number; hash: Hash }[] = [];
      for (const record of records) {
        if (record.seq !== next.size + 1) {
          if (!stalled) logger.error({ expected: next.size + 1, found: record.seq }, 'audit tree: a record is missing from the log (deleted?); the tree stops here, so personal data will be refused; run `npm run audit -- verify`');
          stalled = true;
          break;
        }
        const salt = randomBytes(16);
        salts.push({ seq: record.seq, salt });
        nodes.push(...next.append(recordLeaf(record, salt).hash));
      }
      if (salts.length === 0) return;
      await appendToTree(client, salts, nodes);
      frontier = next;
      stalled = false;
      taken += salts.length;
      if (records.length < PAGE) return;
    }
  }

  async function signIfDue(client: pg.Client): Promise<void> {
    if (!frontier || frontier.size === 0) return;
    if (!signed) {
      const latest = await latestCheckpoint(client);
      if (latest) signed = { size: latest.size, note: latest.note, at: latest.signedAt.getTime() };
    }
    if (signed && (signed.size >= frontier.size || Date.now() - signed.at < options.intervalMs)) return;
    const now = Date.now();
    const note = signCheckpoint({ origin, size: frontier.size, root: frontier.root() }, options.signer, Math.floor(now / 1000));
    await insertCheckpoint(client, { size: frontier.size, root: frontier.root(), note, signedAt: new Date(now) });
    signed = { size: frontier.size, note, at: now };
  }

  async function consistencyProof(client: pg.Client, from: number, to: number): Promise<Hash[]> {
    const plan = consistencyPlan(from, to);
    return assemble(plan, await fetchNodes(client, planNodes(plan)));
  }

  function problem(witness: WitnessEndpoint, text: string | undefined) {
    const key = witnessKey(witness.verifier);
    if (lastWitnessProblem.get(key) === text) return;
    if (text) logger.warn({ witness: witness.url, problem: text }, 'audit checkpoint not cosigned by a witness');
    else if (lastWitnessProblem.has(key)) logger.info({ witness: witness.url }, 'witness cosigns audit checkpoints again');
    if (text) lastWitnessProblem.set(key, text);
    else lastWitnessProblem.delete(key);
  }

  async function witness(client: pg.Client, endpoint: WitnessEndpoint): Promise<void> {
    const key = witnessKey(endpoint.verifier);
    const checkpoint = signed!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const known = witnessed!.get(key) ?? 0;
      if (known >= checkpoint.size) return;
      const result = await submitCheckpoint(endpoint, known, await consistencyProof(client, known, checkpoint.size), checkpoint.note, witnessTimeoutMs);
      if (result.ok) {
        const opened = openCheckpoint(checkpoint.note + result.lines, [endpoint.verifier]);
        const cosignature = opened.verified[0];
        if (!cosignature) return problem(endpoint, 'its answer carries no valid cosignature of its key');
        await insertCosignature(client, checkpoint.size, cosignature.name, cosignature.keyId, cosignature.line, new Date(cosignature.timestamp * 1000));
        witnessed!.set(key, checkpoint.size);
        return problem(endpoint, undefined);
      }
      if (result.status === 409 && result.size !== undefined && result.size !== known) {
        if (result.size > checkpoint.size) {
          return problem(endpoint, `it has cosigned ${result.size} records, more than the log holds (${checkpoint.size}): records were removed; run \`npm run audit -- verify\``);
        }
        witnessed!.set(key, result.size); // it knows a size we had not stored (another replica's round): go on from there
        continue;
      }
      return problem(endpoint, `${result.status ? `HTTP ${result.status}: ` : ''}${result.reason}`);
    }
  }

  async function leaderRound(): Promise<void> {
    try {
      const client = await becomeLeader();
      if (!client) return;
      await extendTree(client);
      await signIfDue(client);
      if (signed && options.witnesses.length > 0) {
        witnessed ??= await cosignedSizes(client);
        await Promise.all(options.witnesses.map((w) => witness(client, w).catch((error: Error) => problem(w, error.message))));
      }
    } catch (error) {
      if (!roundFailing) logger.error({ err: { message: (error as Error).message } }, 'audit checkpoint round failed (retrying every tick; logged once)');
      roundFailing = true;
      // Whatever state the connection or the tree is in, start afresh (the lock goes with the session).
      const broken = connection;
      leader = undefined;
      connection = undefined;
      frontier = undefined;
      await broken?.end().catch(() => {});
      return;
    }
    if (roundFailing) logger.info('audit checkpoint rounds succeed again');
    roundFailing = false;
    treeSizeGauge.set(frontier?.size ?? 0);
  }

  async function readLag(): Promise<void> {
    try {
      lag = { value: await witnessLag(db, witnessKeys, options.quorum), checkedAt: Date.now() };
      witnessedGauge.set(lag.value.witnessedSize);
      lagFailing = false;
    } catch (error) {
      if (!lagFailing) logger.warn({ err: { message: (error as Error).message } }, 'audit witness lag could not be read (logged once until it can)');
      lagFailing = true;
    }
    const status = current();
    unwitnessedGauge.set(status ? status.unwitnessedForMs / 1000 : 0);
  }

  function current() {
    if (!lag) return undefined;
    const since = lag.value.oldestUnwitnessedAt?.getTime();
    return { witnessedSize: lag.value.witnessedSize, unwitnessedForMs: since === undefined ? 0 : Math.max(0, Date.now() - since), checkedAt: new Date(lag.checkedAt) };
  }

  let closed = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const round = async () => {
    await leaderRound().catch(() => {});
    await readLag();
  };
  const runOnce = async () => {
    while (running) await running;
    running = round().finally(() => (running = undefined));
    await running;
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void runOnce().finally(schedule), tickMs);
    timer.unref();
  };

  let open = true;
  const mayServe = () => {
    const status = current();
    const fresh = lag !== undefined && Date.now() - lag.checkedAt <= options.unwitnessedLimitMs;
    const allowed = fresh && status !== undefined && status.unwitnessedForMs <= options.unwitnessedLimitMs;
    if (allowed !== open) {
      open = allowed;
      if (allowed) logger.info({ witnessedSize: status?.witnessedSize }, 'audit records are witnessed again: serving personal data');
      else logger.error({ unwitnessedForMs: status?.unwitnessedForMs, limitMs: options.unwitnessedLimitMs, lagReadable: fresh }, 'audit records have gone unwitnessed too long: refusing personal data (AUDIT_UNAVAILABLE) until a witness cosigns');
    }
    return allowed;
  };

  await runOnce();
  schedule();
  return {
    mayServe,
    status: current,
    runOnce,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      await running;
      await connection?.end().catch(() => {});
      connection = undefined;
      leader = undefined;
      await db.end();
    },
  };
}
