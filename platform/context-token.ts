/**
 * The signed context the gateway sends with every subgraph request: who acts
 * (actor, client), for what purpose, for whom (scope), under which request id.
 * Short-lived and audience-bound (one subgraph), signed with Ed25519, so a
 * subgraph can trust it and nothing else can forge or replay it elsewhere.
 */
import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { CryptoKey, KeyObject as JoseKeyObject } from 'jose';
import type { Acr } from '../permissions/model.ts';
import type { SubjectScope } from '../permissions/subjects.ts';

export const CONTEXT_HEADER = 'x-citizen-graph-context';
const ISSUER = 'citizen-graph-gateway';
const LIFETIME_SECONDS = 60;

export interface CallerContext {
  actor: string;
  client: string;
  purpose: string;
  acr: Acr;
  caseRef?: string;
  requestId: string;
  scope: SubjectScope;
}

type Key = CryptoKey | JoseKeyObject;

/** The gateway's signing key, replaceable while it runs (rotation): every signer reads `current`. */
export interface ContextSigningKey {
  current: Key;
}

const publicObject = (key: Key): KeyObject => {
  const object = key instanceof KeyObject ? key : KeyObject.from(key as CryptoKey);
  return object.type === 'public' ? object : createPublicKey(object);
};

const keyIds = new WeakMap<Key, string>();
/** A key's id: its RFC 7638 thumbprint (of the public half), so gateway and subgraphs agree on it without configuring one. */
export function contextKeyId(key: Key): string {
  let kid = keyIds.get(key);
  if (!kid) {
    const { crv, kty, x } = publicObject(key).export({ format: 'jwk' });
    keyIds.set(key, (kid = createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url')));
  }
  return kid;
}

/**
 * The gateway public keys a subgraph accepts, by key id: during a rotation
 * the next key is added before the gateway signs with it, and the previous
 * one removed once its tokens (a minute) have expired. A token whose key id
 * is not in the set is refused.
 */
export class ContextKeySet {
  readonly #keys = new Map<string, Key>();
  constructor(keys: Iterable<Key> = []) {
    for (const key of keys) this.add(key);
  }
  add(key: Key): string {
    const kid = contextKeyId(key);
    this.#keys.set(kid, key);
    return kid;
  }
  remove(key: Key): void {
    this.#keys.delete(contextKeyId(key));
  }
  get(kid: unknown): Key | undefined {
    return typeof kid === 'string' ? this.#keys.get(kid) : undefined;
  }
  get size(): number {
    return this.#keys.size;
  }
}

function headerKeyId(token: string): unknown {
  const end = token.indexOf('.');
  if (end < 1 || end > 200) return undefined;
  try {
    return (JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8')) as { kid?: unknown }).kid;
  } catch {
    return undefined;
  }
}

// fast-jwt signs and verifies with node:crypto synchronously: several times
// cheaper than WebCrypto (jose), and every gateway request signs one token per
// subgraph it calls. Signers and verifiers are built once per key and audience.
const pemOf = (key: Key, kind: 'private' | 'public'): string => {
  const object = key instanceof KeyObject ? key : KeyObject.from(key as CryptoKey);
  // A private key given to a verifier yields its public half; never the other way round.
  if (kind === 'private') return object.export({ format: 'pem', type: 'pkcs8' }).toString();
  return (object.type === 'public' ? object : createPublicKey(object)).export({ format: 'pem', type: 'spki' }).toString();
};

function perKeyAndAudience<T>(build: (pem: string, audience: string) => T, kind: 'private' | 'public') {
  const cache = new WeakMap<Key, { pem: string; byAudience: Map<string, T> }>();
  return (key: Key, audience: string): T => {
    let entry = cache.get(key);
    if (!entry) cache.set(key, (entry = { pem: pemOf(key, kind), byAudience: new Map() }));
    let built = entry.byAudience.get(audience);
    if (!built) entry.byAudience.set(audience, (built = build(entry.pem, audience)));
    return built;
  };
}

const signerFor = perKeyAndAudience(
  (key, audience) => createSigner({ key, algorithm: 'EdDSA', iss: ISSUER, aud: audience, expiresIn: LIFETIME_SECONDS * 1000, kid: contextKeyId(createPublicKey(key)) }),
  'private',
);

const verifierFor = perKeyAndAudience(
  (key, audience) =>
    createVerifier({
      key,
      algorithms: ['EdDSA'],
      allowedIss: ISSUER,
      allowedAud: audience,
      maxAge: LIFETIME_SECONDS * 1000,
      requiredClaims: ['iss', 'aud', 'iat', 'exp', 'ctx'],
    }),
  'public',
);

/** A context token for one subgraph (the audience), valid for a minute. */
export function signContext(context: CallerContext, audience: string, key: Key | ContextSigningKey): string {
  return signerFor('current' in key ? key.current : key, audience)({ ctx: context });
}

export class ContextTokenError extends Error {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid') {
    super(`gateway context token ${reason}`);
  }
}

export function verifyContext(token: string | undefined, audience: string, keys: Key | ContextKeySet): CallerContext {
  if (!token) throw new ContextTokenError('missing');
  const key = keys instanceof ContextKeySet ? keys.get(headerKeyId(token)) : keys;
  if (!key) throw new ContextTokenError('invalid');
  const verify = verifierFor(key, audience); // outside the try: a bad key is a configuration error, not a bad token
  try {
    return (verify(token) as { ctx: CallerContext }).ctx;
  } catch (error) {
    const expired = error instanceof TokenError && (error.code === TokenError.codes.expired || error.code === TokenError.codes.inactive);
    throw new ContextTokenError(expired ? 'expired' : 'invalid');
  }
}
