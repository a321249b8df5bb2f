/**
 * A birth is a fact of the population register; the family register records
 * it only when the population register says so. Each agency reads only its
 * own database, so the register that owns the fact signs it: in the same
 * transaction that creates the child and writes the outbox event, the
 * identity subgraph signs the event (Ed25519, a JWT whose `jti` is the
 * outbox event id) with a key only it holds. The relay carries the signature
 * with the event; the family register verifies it with the population
 * register's public key and records exactly the attested facts: the event
 * id, the child, the mother, the second parent and their role, the date.
 *
 * What the signature proves: the population register recorded this birth
 * (it signs only after the child was inserted and the mother and second
 * parent were found in its register). What a life-event-relay token alone
 * can no longer do: make a stranger the child of a citizen, invent an event,
 * or change who the mother is (a change of any byte breaks the signature; a
 * real event under other ids is a mismatch). Replaying a real event is
 * harmless: recording is idempotent by event id.
 *
 * No expiry: an event may wait in the outbox for days (a register down) and
 * is still true. Keys rotate by `kid` (the key's JWK thumbprint): the family
 * register may hold several public keys.
 */
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';

export const ATTESTATION_ISSUER = 'population-register';
export const ATTESTATION_AUDIENCE = 'family-register';
export const BIRTH_REGISTERED = 'birth-registered';

export const LIFE_EVENT_NOT_ATTESTED = 'LIFE_EVENT_NOT_ATTESTED';
export const LIFE_EVENT_MISMATCH = 'LIFE_EVENT_MISMATCH';

type Key = CryptoKey | KeyObject;

export interface AttestedBirth {
  /** The outbox event id, as the relay names it to the family register. */
  eventId: string;
  childId: string;
  motherId: string;
  secondParentId: string | null;
  secondParentSex: 'F' | 'M' | null;
  dateOfBirth: string;
}

export interface AttestationSigner {
  key: Key;
  kid: string;
}

export type AttestationVerifier = Key | JWTVerifyGetKey;

/** What each register is given: the population register signs, the family register verifies. */
export interface LifeEventKeys {
  signer?: AttestationSigner;
  verifier?: AttestationVerifier;
}

export function attestBirth(birth: AttestedBirth, signer: AttestationSigner): Promise<string> {
  const { eventId, ...facts } = birth;
  return new SignJWT({ kind: BIRTH_REGISTERED, ...facts })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'life-event+jwt', kid: signer.kid })
    .setIssuer(ATTESTATION_ISSUER)
    .setAudience(ATTESTATION_AUDIENCE)
    .setJti(eventId)
    .setIssuedAt()
    .sign(signer.key);
}

export class AttestationError extends Error {
  constructor(
    readonly code: typeof LIFE_EVENT_NOT_ATTESTED | typeof LIFE_EVENT_MISMATCH,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const PERSON = /^\d{11}$/;

/** The attested birth, or AttestationError(LIFE_EVENT_NOT_ATTESTED): not signed by the population register, or not a birth. */
export async function verifyBirth(token: string, verifier: AttestationVerifier | undefined): Promise<AttestedBirth> {
  if (!verifier) throw new AttestationError(LIFE_EVENT_NOT_ATTESTED, 'this family register has no key of the population register to verify life events with');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, verifier as Key, {
      issuer: ATTESTATION_ISSUER,
      audience: ATTESTATION_AUDIENCE,
      algorithms: ['EdDSA'],
      typ: 'life-event+jwt',
    }));
  } catch {
    throw new AttestationError(LIFE_EVENT_NOT_ATTESTED, 'the event is not attested by the population register (missing, altered or foreign signature)');
  }
  const p = payload as Record<string, unknown>;
  const sex = p.secondParentSex;
  if (
    p.kind !== BIRTH_REGISTERED || typeof p.jti !== 'string' || typeof p.childId !== 'string' || !PERSON.test(p.childId)
    || typeof p.motherId !== 'string' || !PERSON.test(p.motherId) || typeof p.dateOfBirth !== 'string'
    || !(p.secondParentId === null || (typeof p.secondParentId === 'string' && PERSON.test(p.secondParentId)))
    || !(sex === null || sex === 'F' || sex === 'M')
  ) {
    throw new AttestationError(LIFE_EVENT_NOT_ATTESTED, 'the attestation is not a birth registered by the population register');
  }
  return { eventId: p.jti, childId: p.childId, motherId: p.motherId, secondParentId: (p.secondParentId as string | null), secondParentSex: sex, dateOfBirth: p.dateOfBirth };
}

export interface ClaimedBirth {
  eventId: string;
  childId: string;
  motherId: string;
  dateOfBirth: string;
  secondParentId?: string | null;
  secondParentRole?: 'FATHER' | 'PARENT' | null;
}

/** Which claimed fact differs from the attested one (pure), or undefined when the claim is exactly the attested birth. */
export function birthMismatch(attested: AttestedBirth, claimed: ClaimedBirth): string | undefined {
  if (claimed.eventId !== attested.eventId) return 'eventId';
  if (claimed.childId !== attested.childId) return 'childId';
  if (claimed.motherId !== attested.motherId) return 'motherId';
  if (claimed.dateOfBirth !== attested.dateOfBirth) return 'dateOfBirth';
  if ((claimed.secondParentId ?? null) !== attested.secondParentId) return 'secondParentId';
  // The family register's own vocabulary: a second parent recorded as male is the father, anyone else a parent.
  const role = attested.secondParentId ? (attested.secondParentSex === 'M' ? 'FATHER' : 'PARENT') : null;
  if ((claimed.secondParentRole ?? null) !== role) return 'secondParentRole';
  return undefined;
}

// ------------------------------------------------------------ keys from configuration

export async function signerFromJwk(jwk: JWK): Promise<AttestationSigner> {
  if (!jwk.d) throw new Error('the life-event signing key must be a private key');
  const { d: _d, ...publicJwk } = jwk;
  return { key: (await importJWK(jwk, 'EdDSA')) as Key, kid: await calculateJwkThumbprint(publicJwk) };
}

/** LIFE_EVENT_SIGNING_KEY: an Ed25519 private key, PKCS#8 PEM or JWK JSON. */
export async function importAttestationSigner(raw: string): Promise<AttestationSigner> {
  const text = raw.trim();
  if (text.startsWith('{')) return signerFromJwk(JSON.parse(text) as JWK);
  const key = await importPKCS8(text, 'EdDSA', { extractable: true });
  const { d: _d, ...publicJwk } = await exportJWK(key);
  return { key, kid: await calculateJwkThumbprint(publicJwk) };
}

/** LIFE_EVENT_VERIFY_KEYS: the population register's public key(s): SPKI PEM, a JWK, or a JWK Set {"keys": […]} (rotation). */
export async function importAttestationVerifier(raw: string): Promise<AttestationVerifier> {
  const text = raw.trim();
  if (!text.startsWith('{')) return importSPKI(text, 'EdDSA');
  const parsed = JSON.parse(text) as JWK | { keys: JWK[] };
  const keys = 'keys' in parsed ? parsed.keys : [parsed];
  if (keys.some((k) => k.d)) throw new Error('LIFE_EVENT_VERIFY_KEYS contains a private key: give the family register public keys only');
  const withKids = await Promise.all(keys.map(async (k) => ({ ...k, alg: 'EdDSA', kid: k.kid ?? (await calculateJwkThumbprint(k)) })));
  return createLocalJWKSet({ keys: withKids });
}

/** A fresh pair as JWKs (tests, the development system). */
export async function generateLifeEventKeyPair(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

/** Both registers' keys from one pair of JWKs (the development system runs both). */
export async function lifeEventKeysFromJwks(pair: { privateJwk: JWK; publicJwk: JWK }): Promise<{ identity: LifeEventKeys; family: LifeEventKeys }> {
  return {
    identity: { signer: await signerFromJwk(pair.privateJwk) },
    family: { verifier: await importAttestationVerifier(JSON.stringify(pair.publicJwk)) },
  };
}
