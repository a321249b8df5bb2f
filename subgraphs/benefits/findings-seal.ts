/**
 * The board's seal on its own findings. `Citizen.eligibility` evaluates the
 * rules and seals what they found for one person on one day; the engine hands
 * the seal back to `recordEligibility` unchanged, and the board records only
 * what it sealed itself, today. The engine schedules and pages, it never
 * decides: it cannot add, drop or change a finding, or replay yesterday's.
 *
 * HMAC-SHA256 (a page holds a thousand seals; a signature per citizen would
 * cost more than the rules) under a key kept in the board's own database, so
 * every replica shares it and it never leaves the agency. The person and the
 * day are bound into the MAC, not written in the seal: most people have no
 * findings, and their seal is then a few characters (the engine records a
 * page in requests under the gateway's body limit).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../platform/database.ts';
import { badUserInput } from '../../platform/errors.ts';
import type { Finding } from './rules/types.ts';

/** One finding as the board sealed it (a rule's finding, without the terms the board adds again when recording). */
export type SealedFinding = Finding;

export interface FindingsSeal {
  seal(citizenId: string, on: string, findings: readonly SealedFinding[]): string;
  /** The findings of a seal the board made for this person on `today`, or a BAD_USER_INPUT error for anything else. */
  open(sealed: string, citizenId: string, today: string): SealedFinding[];
}

/** 128 bits of HMAC-SHA256: forging one is as hard as guessing the key's output, and it halves the seal. */
const MAC_BYTES = 16;
/** base64url, and a MAC of exactly MAC_BYTES (22 characters): the decoder alone would skip what it does not know. */
const SEAL_SHAPE = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;
const notTheBoards = () =>
  badUserInput('a sealed finding was not made by the benefits board for this citizen today (hand back Citizen.eligibility.sealed unchanged, with its citizen, on the day it was made)');

export function findingsSeal(key: Buffer): FindingsSeal {
  const mac = (citizenId: string, on: string, payload: string) => createHmac('sha256', key).update(`${citizenId}\n${on}\n${payload}`).digest().subarray(0, MAC_BYTES);
  return {
    seal(citizenId, on, findings) {
      const payload = findings.length ? Buffer.from(JSON.stringify(findings)).toString('base64url') : '';
      return `${payload}.${mac(citizenId, on, payload).toString('base64url')}`;
    },
    open(sealed, citizenId, today) {
      if (typeof sealed !== 'string' || !SEAL_SHAPE.test(sealed)) throw notTheBoards();
      const dot = sealed.lastIndexOf('.');
      const payload = sealed.slice(0, dot);
      // Compared as text: 22 characters carry 132 bits for 128, so decoding would let 16 spellings of one MAC open.
      const given = Buffer.from(sealed.slice(dot + 1));
      if (!timingSafeEqual(given, Buffer.from(mac(citizenId, today, payload).toString('base64url')))) throw notTheBoards();
      return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SealedFinding[]) : [];
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
