/**
 * Request-level checks, before any field is looked at (permissions/judge.ts
 * decides): is the declared purpose known, open to this client and to this
 * kind of actor (with the entitlement it names), met by the sign-in
 * assurance, and given the case reference it needs? The answer is the scope
 * of subjects the request reaches.
 */
import { isValidPersonalCode } from '../../platform/personal-code.ts';
import { judgeRequest, type RequestRefusalCode } from '../../permissions/judge.ts';
import type { Policy } from '../../permissions/model.ts';
import type { SubjectScope } from '../../permissions/subjects.ts';
import type { Identity } from '../auth/authenticate.ts';

export class RequestRefused extends Error {
  constructor(
    readonly code: RequestRefusalCode,
    message: string,
    readonly status = 403,
  ) {
    super(message);
  }
}

export interface DeclaredPurpose {
  purpose: string;
  caseRef?: string;
  /** Scope before the represented people are looked up. */
  needsRepresentedLookup: boolean;
  scope: SubjectScope;
}

export function resolvePurpose(policy: Policy, identity: Identity, purposeHeader: string | undefined, caseRefHeader: string | undefined): DeclaredPurpose {
  const decision = judgeRequest(policy, identity, purposeHeader, caseRefHeader, isValidPersonalCode);
  if (!decision.allow) throw new RequestRefused(decision.code, decision.message, decision.status);
  const { purpose, caseRef, needsRepresentedLookup, scope } = decision;
  return { purpose, caseRef, needsRepresentedLookup, scope };
}
