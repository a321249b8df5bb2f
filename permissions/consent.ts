/**
 * Consent, as pure decisions over data: which fields a consent-based purpose
 * asks a person for, whether a grant may be made, and whether a recorded
 * consent is live for (client, purpose, subject, today). The transparency
 * subgraph records consents and the gateway looks them up; both only call
 * these functions.
 *
 * A consent covers the fields the policy stated when the person agreed. If
 * the policy later asks for more, the old consent no longer covers the
 * purpose (the person has to be asked again); if it asks for less, the
 * consent still holds and the judge serves only what the policy grants now.
 */
import { categoryCovers, classify } from './decide.ts';
import { PUBLIC, type Policy } from './model.ts';

/** Age at which a person consents for themselves: a guardian's consent for a minor ends on the 18th birthday. */
export const AGE_OF_MAJORITY = 18;
/** Longest a consent may be given for, in days; a partner asks again after that. */
export const MAX_CONSENT_DAYS = 366;

export interface ConsentRecord {
  id: string;
  /** Whose data the partner may read. */
  subject: string;
  /** Who agreed: the subject, or their guardian while the subject is a minor. */
  grantedBy: string;
  client: string;
  purpose: string;
  /** The fields as the policy stated them when the consent was given (`Type.field`). */
  fields: readonly string[];
  /** ISO 8601 timestamp. */
  grantedAt: string;
  /** Last day (YYYY-MM-DD, platform/clock.ts) on which the consent holds. */
  validUntil: string;
  revokedAt: string | null;
}

export type ConsentState = 'live' | 'revoked' | 'expired' | 'not-for-this-use' | 'policy-asks-more' | 'came-of-age' | 'age-unknown';

export interface ConsentUse {
  client: string;
  purpose: string;
  /** YYYY-MM-DD (platform/clock.ts). */
  today: string;
  /** The subject's date of birth, needed only for a consent a guardian gave. */
  subjectBirthDate?: string | null;
}

/** Every personal field the purpose reads, sorted: what a person is asked to consent to. */
export function consentFields(policy: Policy, purposeId: string): string[] {
  const purpose = Object.hasOwn(policy.purposes, purposeId) ? policy.purposes[purposeId] : undefined;
  if (!purpose) return [];
  const fields = new Set<string>();
  const consider = (field: string) => {
    const category = classify(policy, field);
    if (category === undefined || category === PUBLIC) return;
    if (purpose.deny.fields.includes(field) || purpose.deny.categories.some((c) => categoryCovers(c, category))) return;
    if (purpose.read.fields.includes(field) || purpose.read.categories.some((c) => categoryCovers(c, category))) fields.add(field);
  };
  for (const [type, entries] of Object.entries(policy.classification)) for (const name of Object.keys(entries)) consider(`${type}.${name}`);
  return [...fields].sort();
}

/** YYYY-MM-DD plus whole years (29 February becomes 1 March in other years, as the civil law counts it). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y + years, m - 1, d));
  return shifted.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function isMinor(birthDate: string, today: string): boolean {
  return today < addYears(birthDate, AGE_OF_MAJORITY);
}

/** Whether a recorded consent lets this client read the subject's data for this purpose today. */
export function consentState(policy: Policy, consent: ConsentRecord, use: ConsentUse): ConsentState {
  if (consent.client !== use.client || consent.purpose !== use.purpose) return 'not-for-this-use';
  if (consent.revokedAt !== null) return 'revoked';
  if (use.today > consent.validUntil) return 'expired';
  const granted = new Set(consent.fields);
  if (!consentFields(policy, use.purpose).every((f) => granted.has(f))) return 'policy-asks-more';
  if (consent.grantedBy !== consent.subject) {
    // A guardian speaks for a minor only: from the 18th birthday the person decides for themselves.
    if (!use.subjectBirthDate) return 'age-unknown';
    if (!isMinor(use.subjectBirthDate, use.today)) return 'came-of-age';
  }
  return 'live';
}

export type GrantRefusal = 'UNKNOWN_CLIENT' | 'NOT_CONSENT_BASED' | 'INVALID_VALID_UNTIL' | 'NOT_REPRESENTED' | 'NOT_A_MINOR';

export interface GrantRequest {
  client: string;
  purpose: string;
  validUntil: string;
  today: string;
  /** The person who agrees. */
  actor: string;
  /** Whose data: the actor, or someone they represent. */
  subject: string;
  /** People the actor legally represents (the gateway's lookup). */
  represented: readonly string[];
  /** The subject's date of birth, when a guardian consents for them and it is known. */
  subjectBirthDate?: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Whether a consent may be recorded as asked; the refusal names what is wrong. */
export function checkGrant(policy: Policy, request: GrantRequest): { ok: true; fields: string[] } | { ok: false; reason: GrantRefusal; message: string } {
  const client = Object.hasOwn(policy.clients, request.client) ? policy.clients[request.client] : undefined;
  if (!client) return { ok: false, reason: 'UNKNOWN_CLIENT', message: 'no such partner is registered' };
  const purpose = Object.hasOwn(policy.purposes, request.purpose) ? policy.purposes[request.purpose] : undefined;
  if (!purpose || !client.purposes.includes(request.purpose) || purpose.legalBasis.kind !== 'consent' || !purpose.subjects.includes('consented')) {
    return { ok: false, reason: 'NOT_CONSENT_BASED', message: 'this partner does not ask for consent for this purpose' };
  }
  if (!isCalendarDate(request.validUntil) || request.validUntil < request.today || request.validUntil > addDays(request.today, MAX_CONSENT_DAYS)) {
    return { ok: false, reason: 'INVALID_VALID_UNTIL', message: `validUntil must be a date (YYYY-MM-DD) from today to ${MAX_CONSENT_DAYS} days ahead` };
  }
  if (request.subject !== request.actor) {
    if (!request.represented.includes(request.subject)) return { ok: false, reason: 'NOT_REPRESENTED', message: 'you may consent only for yourself or a person you represent' };
    // Where the birth date is not known to the recorder, the lookup decides at every read (consentState: came-of-age).
    if (request.subjectBirthDate && !isMinor(request.subjectBirthDate, request.today)) {
      return { ok: false, reason: 'NOT_A_MINOR', message: 'a guardian consents only for a minor; an adult consents for themselves' };
    }
  }
  return { ok: true, fields: consentFields(policy, request.purpose) };
}

export interface ConsentRequest {
  client: string;
  clientName: string;
  purpose: string;
  purposeDescription: string;
  legalBasis: { kind: string; reference: string };
  /** What the person is asked to agree to (`Type.field`) and those fields' categories. */
  fields: string[];
  categories: string[];
  /** Where the page sends the person back to: one of the client's registered return URLs, exactly. */
  returnUrl: string;
}

export type ConsentRequestRefusal = 'UNKNOWN_CLIENT' | 'NOT_CONSENT_BASED' | 'RETURN_URL_NOT_REGISTERED';

/**
 * What a partner's redirect to the consent page asks for, checked against the
 * policy: a registered partner, one of its consent-based purposes, and a
 * return URL it registered (exactly: no prefix or pattern a redirect could
 * slip through).
 */
export function consentRequest(
  policy: Policy,
  clientId: string,
  purposeId: string,
  returnUrl: string,
): { ok: true; request: ConsentRequest } | { ok: false; reason: ConsentRequestRefusal } {
  const client = Object.hasOwn(policy.clients, clientId) ? policy.clients[clientId] : undefined;
  if (!client) return { ok: false, reason: 'UNKNOWN_CLIENT' };
  const purpose = Object.hasOwn(policy.purposes, purposeId) ? policy.purposes[purposeId] : undefined;
  if (!purpose || !client.purposes.includes(purposeId) || purpose.legalBasis.kind !== 'consent' || !purpose.subjects.includes('consented')) {
    return { ok: false, reason: 'NOT_CONSENT_BASED' };
  }
  if (!(client.returnUrls ?? []).includes(returnUrl)) return { ok: false, reason: 'RETURN_URL_NOT_REGISTERED' };
  const fields = consentFields(policy, purposeId);
  const categories = [...new Set(fields.map((f) => classify(policy, f)).filter((c): c is string => c !== undefined && c !== PUBLIC))].sort();
  return {
    ok: true,
    request: {
      client: clientId,
      clientName: client.name,
      purpose: purposeId,
      purposeDescription: purpose.description.replace(/\s+/g, ' ').trim(),
      legalBasis: { kind: purpose.legalBasis.kind, reference: purpose.legalBasis.reference.replace(/\s+/g, ' ').trim() },
      fields,
      categories,
      returnUrl,
    },
  };
}
