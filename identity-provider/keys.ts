/**
 * The provider's signing keys, rotated without downtime the way large
 * providers do it: the JWKS always publishes the key in use, the next key
 * (so verifiers have it cached before the first token signed with it), and
 * the keys retired recently (so tokens they signed stay valid until they
 * expire). Rotating makes the next key current and retires the current one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

export const SIGNING_ALG = 'ES256';
/** Retired keys kept published: more than enough for tokens that live an hour when keys rotate daily. */
const RETIRED_KEPT = 2;

export interface KeyRing {
  current: JWK;
  next: JWK;
  retired: JWK[];
}

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: SIGNING_ALG, use: 'sig' };
}

export async function newKeyRing(): Promise<KeyRing> {
  return { current: await newKey(), next: await newKey(), retired: [] };
}

export async function rotated(ring: KeyRing): Promise<KeyRing> {
  return { current: ring.next, next: await newKey(), retired: [ring.current, ...ring.retired].slice(0, RETIRED_KEPT) };
}

/** oidc-provider's `jwks`: it signs with the first key it may sign with; the others may only verify. */
export function providerJwks(ring: KeyRing): { keys: JWK[] } {
  return { keys: [ring.current, ...[ring.next, ...ring.retired].map((key) => ({ ...key, key_ops: ['verify'] }))] };
}

/** `npm start` keeps the ring in its data folder (mode 600), so tokens survive a restart. */
export async function loadOrCreateKeyRing(file: string): Promise<KeyRing> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyRing;
  const ring = await newKeyRing();
  saveKeyRing(file, ring);
  return ring;
}

export function saveKeyRing(file: string, ring: KeyRing): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(ring)}\n`, { mode: 0o600 });
}
