/**
 * The signed context the gateway sends with every subgraph request: who acts
 * (actor, client), for what purpose, for whom (scope), under which request id.
 * Short-lived and audience-bound (one subgraph), signed with Ed25519, so a
 * subgraph can trust it and nothing else can forge or replay it elsewhere.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
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
  (key, audience) => createSigner({ key, algorithm: 'EdDSA', iss: ISSUER, aud: audience, expiresIn: LIFETIME_SECONDS * 1000 }),
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
export function signContext(context: CallerContext, audience: string, key: Key): string {
  return signerFor(key, audience)({ ctx: context });
}

export class ContextTokenError extends Error {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid') {
    super(`gateway context token ${reason}`);
  }
}

export function verifyContext(token: string | undefined, audience: string, key: Key): CallerContext {
  if (!token) throw new ContextTokenError('missing');
  const verify = verifierFor(key, audience); // outside the try: a bad key is a configuration error, not a bad token
  try {
    return (verify(token) as { ctx: CallerContext }).ctx;
  } catch (error) {
    const expired = error instanceof TokenError && (error.code === TokenError.codes.expired || error.code === TokenError.codes.inactive);
    throw new ContextTokenError(expired ? 'expired' : 'invalid');
  }
}
