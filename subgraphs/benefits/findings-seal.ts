/**
 * The board's seal on its own findings. `Citizen.eligibility` evaluates the
 * rules and seals what they found for one person on one day; the engine hands
 * the seal back to `recordEligibility` unchanged, and the board records only
 * what it sealed itself, today. The engine schedules and pages, it never
 * decides: it cannot add, drop or change a finding, or replay yesterday's.
 *
 * HMAC-SHA256 (a page holds a thousand seals; a signature per citizen would
 * cost more than the rules) under a key kept in the board's own database, so
 * every replica shares it and it never leaves the agency.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../platform/database.ts';
import { badUserInput } from '../../platform/errors.ts';
import type { Fact } from './rules/types.ts';

/** One finding as the board sealed it: what recordEligibility records. */
export interface SealedFinding {
  programme: string;
  occasion: string;
  amount: number | null;
  facts: Fact[];
  child?: string;
  sharedWith?: string[];
}

export interface Sealed {
  citizenId: string;
  /** The day the rules ran (YYYY-MM-DD): a seal is recorded on that day only. */
  on: string;
  findings: SealedFinding[];
}

export interface FindingsSeal {
  seal(content: Sealed): string;
  /** The content of a seal the board made, or a BAD_USER_INPUT error for anything else. */
  open(sealed: string, today: string): Sealed;
}

export function findingsSeal(key: Buffer): FindingsSeal {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    seal(content) {
      const payload = Buffer.from(JSON.stringify([content.citizenId, content.on, content.findings])).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    open(sealed, today) {
      const dot = typeof sealed === 'string' ? sealed.indexOf('.') : -1;
      const payload = dot > 0 ? sealed.slice(0, dot) : '';
      const given = dot > 0 ? Buffer.from(sealed.slice(dot + 1), 'base64url') : Buffer.alloc(0);
      const expected = payload ? mac(payload) : undefined;
      if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw badUserInput('a sealed finding was not made by the benefits board (hand back Citizen.eligibility.sealed unchanged)');
      }
      const [citizenId, on, findings] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, SealedFinding[]];
      if (on !== today) throw badUserInput(`a sealed finding is of ${on}: findings are recorded on the day they are made; evaluate again`);
      return { citizenId, on, findings };
    },
  };
}

const KEY_SQL = `SELECT key FROM findings_seal_key WHERE id = 1`;

/** The board's key: read, or on first use written (the first writer wins, every replica reads the same). */
export async function loadFindingsSeal(db: Database): Promise<FindingsSeal> {
  let [row] = await db.query<{ key: Buffer }>(KEY_SQL);
  if (!row) {
    await db.query(`INSERT INTO findings_seal_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [randomBytes(32)]);
    [row] = await db.query<{ key: Buffer }>(KEY_SQL);
  }
  return findingsSeal(row!.key);
}

/** One seal per database (a process serves one benefits database; tests start several). */
const seals = new WeakMap<Database, Promise<FindingsSeal>>();
export function sealOf(db: Database): Promise<FindingsSeal> {
  let seal = seals.get(db);
  if (!seal) {
    seal = loadFindingsSeal(db);
    seals.set(db, seal);
    seal.catch(() => seals.delete(db));
  }
  return seal;
}
