/**
 * Request-level checks, before any field is looked at: is the declared purpose
 * known, open to this client, met by the sign-in assurance, and given the case
 * reference it needs? The answer is the scope of subjects the request reaches.
 */
import { isValidPersonalCode } from '../../platform/personal-code.ts';
import { acrAtLeast } from '../../permissions/decide.ts';
import type { Policy } from '../../permissions/model.ts';
import type { SubjectScope } from '../../permissions/subjects.ts';
import type { Identity } from '../auth/authenticate.ts';

export class RequestRefused extends Error {
  constructor(
    readonly code: 'PURPOSE_NOT_ALLOWED' | 'CASE_REFERENCE_REQUIRED',
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

const CASE_REF = /^[A-Za-z0-9][A-Za-z0-9:/._-]{2,99}$/;

export function resolvePurpose(policy: Policy, identity: Identity, purposeHeader: string | undefined, caseRefHeader: string | undefined): DeclaredPurpose {
  const purposeId = purposeHeader?.trim();
  if (!purposeId) throw new RequestRefused('PURPOSE_NOT_ALLOWED', 'declare the purpose of this request in the x-purpose header', 400);
  const purpose = policy.purposes[purposeId];
  // Internal purposes exist for the platform's own lookups: to a client they are unknown.
  if (!purpose || purpose.internal) throw new RequestRefused('PURPOSE_NOT_ALLOWED', `unknown purpose "${purposeId.slice(0, 64)}"`);
  const client = policy.clients[identity.client];
  if (!client) throw new RequestRefused('PURPOSE_NOT_ALLOWED', `client "${identity.client.slice(0, 64)}" is not registered`);
  if (!client.purposes.includes(purposeId)) {
    throw new RequestRefused('PURPOSE_NOT_ALLOWED', `client "${identity.client}" may not use purpose "${purposeId}"`);
  }
  if (!acrAtLeast(identity.acr, purpose.acr)) {
    throw new RequestRefused('PURPOSE_NOT_ALLOWED', `purpose "${purposeId}" needs sign-in assurance "${purpose.acr}" (this sign-in: "${identity.acr}")`);
  }
  const any = purpose.subjects.includes('any');
  const caseRef = caseRefHeader?.trim() || undefined;
  if (any && !caseRef) {
    throw new RequestRefused('CASE_REFERENCE_REQUIRED', `purpose "${purposeId}" reaches any citizen and needs a case reference in the x-case-ref header`, 400);
  }
  // A partner reads under a consent for one application of theirs: the audit names it.
  if (purpose.subjects.includes('consented') && !caseRef) {
    throw new RequestRefused('CASE_REFERENCE_REQUIRED', `purpose "${purposeId}" rests on consent and needs the case reference of the application in the x-case-ref header`, 400);
  }
  if (caseRef && !CASE_REF.test(caseRef)) {
    throw new RequestRefused('CASE_REFERENCE_REQUIRED', 'x-case-ref must be 3-100 letters, digits or : / . _ -', 400);
  }
  const actorIsCitizen = isValidPersonalCode(identity.sub);
  return {
    purpose: purposeId,
    caseRef,
    needsRepresentedLookup: actorIsCitizen && purpose.subjects.includes('represented'),
    scope: {
      self: actorIsCitizen && (purpose.subjects.includes('self') || purpose.subjects.includes('represented')) ? identity.sub : undefined,
      represented: [],
      any,
    },
  };
}
