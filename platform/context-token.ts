/**
 * The signed context the gateway sends with every subgraph request: who acts
 * (actor, client), for what purpose, for whom (scope), under which request id.
 * Short-lived and audience-bound (one subgraph), signed with Ed25519, and
 * bound to the one call it travels with:
 *  - `opd`: a digest of that call's request body, byte for byte as sent
 *    (the operation, its variables, its name), so the token authorises that
 *    call and no other. The subgraph digests the bytes it received: nothing
 *    is re-serialised on either end (a canonical form of a page's
 *    representations cost the gateway an eighth of its CPU);
 *  - `jti`: a unique id, so a subgraph accepts it once (replay refused);
 *  - `pol`: the digest of the policy the gateway judged with, so a subgraph
 *    on another policy (a rolling deploy half done) refuses instead of
 *    silently enforcing a different one;
 *  - `kid` (header): which gateway key signed it, so keys can rotate while
 *    subgraphs hold the current and the next public key.
 */
import { createHash, createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
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

/** The key id: a digest of the public key itself (as an RFC 7638 thumbprint is), so it needs no configuration. */
const kids = new WeakMap<Key, string>();
export function keyId(key: Key): string {
  let kid = kids.get(key);
  if (!kid) {
    const object = key instanceof KeyObject ? key : KeyObject.from(key as CryptoKey);
    const publicKey = object.type === 'public' ? object : createPublicKey(object);
    kids.set(key, (kid = createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16)));
  }
  return kid;
}

const signerFor = perKeyAndAudience(
  (key, audience) => createSigner({ key, algorithm: 'EdDSA', iss: ISSUER, aud: audience, expiresIn: LIFETIME_SECONDS * 1000, kid: keyId(createPublicKey(key)) }),
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
      requiredClaims: ['iss', 'aud', 'iat', 'exp', 'ctx', 'jti', 'opd', 'pol'],
    }),
  'public',
);

/** The one call a token is for: the request body exactly as it is sent to the subgraph, and the policy's digest. */
export interface ContextCall {
  body: string;
  policyDigest: string;
}

/** Digest of a request body: of the string the gateway sends (as UTF-8), or of the bytes the subgraph received. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** A context token for one call to one subgraph (the audience), valid for a minute and once. */
export function signContext(context: CallerContext, audience: string, key: Key | ContextSigningKey, call: ContextCall): string {
  return signerFor('current' in key ? key.current : key, audience)({ ctx: context, jti: randomUUID(), opd: bodyDigest(call.body), pol: call.policyDigest });
}

export class ContextTokenError extends Error {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid' | 'replayed' | 'other-call' | 'other-policy' | 'unknown-key') {
    super(`gateway context token ${reason}`);
  }
}

/** Token ids seen within their lifetime: a second use of one is a replay. One per subgraph process. */
export function replayGuard(max = 200_000): (jti: string) => boolean {
  const seen = new LRUCache<string, true>({ max, ttl: (LIFETIME_SECONDS + 30) * 1000 });
  return (jti) => {
    if (seen.has(jti)) return false;
    seen.set(jti, true);
    return true;
  };
}

export interface ExpectedCall {
  /** bodyDigest() of the request body as received. */
  bodyDigest: string;
  policyDigest: string;
  /** From replayGuard(): false when the token id was seen before. */
  firstUse: (jti: string) => boolean;
}

function headerKid(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a token for this subgraph (audience) under one of its gateway keys (chosen by the token's kid), and,
 * with `expected`, that it is bound to this very call, was not used before, and was judged under this policy.
 * Without `expected` (benchmarks only: peers forward one token for a whole run) only the signature and times count.
 */
export function verifyContext(token: string | undefined, audience: string, keys: Key | readonly Key[], expected?: ExpectedCall): CallerContext {
  if (!token) throw new ContextTokenError('missing');
  const candidates = Array.isArray(keys) ? keys : [keys as Key];
  const kid = headerKid(token);
  const key = candidates.find((k) => keyId(k) === kid);
  if (!key) throw new ContextTokenError(kid === undefined ? 'invalid' : 'unknown-key');
  const verify = verifierFor(key, audience); // outside the try: a bad key is a configuration error, not a bad token
  let claims: { ctx: CallerContext; jti: string; opd: string; pol: string };
  try {
    claims = verify(token) as typeof claims;
  } catch (error) {
    const expired = error instanceof TokenError && (error.code === TokenError.codes.expired || error.code === TokenError.codes.inactive);
    throw new ContextTokenError(expired ? 'expired' : 'invalid');
  }
  if (expected) {
    if (claims.pol !== expected.policyDigest) throw new ContextTokenError('other-policy');
    if (claims.opd !== expected.bodyDigest) throw new ContextTokenError('other-call');
    if (!expected.firstUse(claims.jti)) throw new ContextTokenError('replayed');
  }
  return claims.ctx;
}
