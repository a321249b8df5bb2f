/**
 * The signed context the gateway sends with every subgraph request: who acts
 * (actor, client), for what purpose, for whom (scope), under which request id.
 * Short-lived and audience-bound (one subgraph), signed with Ed25519, so a
 * subgraph can trust it and nothing else can forge or replay it elsewhere.
 */
import { SignJWT, jwtVerify, errors, type CryptoKey, type KeyObject } from 'jose';
import type { Acr } from '../../permissions/model.ts';
import type { SubjectScope } from '../../permissions/subjects.ts';

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

type Key = CryptoKey | KeyObject;

export async function signContext(context: CallerContext, audience: string, key: Key): Promise<string> {
  return new SignJWT({ ctx: context })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key);
}

export class ContextTokenError extends Error {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid') {
    super(`gateway context token ${reason}`);
  }
}

export async function verifyContext(token: string | undefined, audience: string, key: Key): Promise<CallerContext> {
  if (!token) throw new ContextTokenError('missing');
  try {
    const { payload } = await jwtVerify<{ ctx: CallerContext }>(token, key, {
      issuer: ISSUER,
      audience,
      algorithms: ['EdDSA'],
      maxTokenAge: `${LIFETIME_SECONDS}s`,
    });
    return payload.ctx;
  } catch (error) {
    throw new ContextTokenError(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
}
