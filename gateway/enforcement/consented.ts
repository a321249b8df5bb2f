/**
 * Whose live consent a partner's request rests on. For a purpose reaching
 * `consented` subjects the gateway learns, before anything is planned, which
 * people the operation names at its root (`citizen(id:)`), reads their
 * consents from the transparency subgraph (which records them) under the
 * internal `consent-lookup` purpose, and keeps those the pure
 * `consentState` finds live for this client, purpose and day. The answer
 * goes into the session's subjects (scope.consented: person -> consent id),
 * which the gateway's judge and every subgraph's shield read.
 *
 * Never cached: a withdrawal holds from the very next request (GDPR art.
 * 7(3)), so every request of a partner asks again (one round trip, two when
 * a guardian's consent needs the person's age).
 */
import { randomUUID } from 'node:crypto';
import { Kind, parse, valueFromASTUntyped, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { CryptoKey, KeyObject } from 'jose';
import { consentState, type ConsentRecord } from '../../permissions/consent.ts';
import type { Policy } from '../../permissions/model.ts';
import { today as clockToday } from '../../platform/clock.ts';
import { CONTEXT_HEADER, signContext, type CallerContext, type ContextSigningKey } from '../../platform/context-token.ts';
import { isValidPersonalCode } from '../../platform/personal-code.ts';

export const CONSENT_LOOKUP_PURPOSE = 'consent-lookup';
/** More people than a loan application names is not a partner's single case: the rest stay unreached. */
export const MAX_CONSENTED_SUBJECTS = 20;

const CONSENTS_QUERY =
  'query Consents($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id consents { id clientId purpose subjectId grantedBy fields grantedAt validUntil revokedAt } } } }';
const BIRTH_QUERY = 'query Births($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id dateOfBirth } } }';

/** The person a root field names through its arguments (`citizen(id:)`), per the root fields' declared subjects. */
export type NamedSubject = (rootField: string, args: Record<string, unknown>) => unknown;

/**
 * The people an operation names at its root through an argument (`citizen(id: $id)`), in the order given.
 * A document that does not parse names nobody (the server refuses it anyway).
 */
export function operationSubjects(query: unknown, operationName: unknown, variables: unknown, subjectOf: NamedSubject): string[] {
  if (typeof query !== 'string') return [];
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 10_000 });
  } catch {
    return [];
  }
  const vars = typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return [];
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
  const found = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, seen: ReadonlySet<string>) => {
    for (const selection of selectionSet.selections) {
      if (found.size >= MAX_CONSENTED_SUBJECTS) return;
      if (selection.kind === Kind.FIELD) {
        const args = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, vars)]));
        const id = subjectOf(selection.name.value, args);
        if (typeof id === 'string' && isValidPersonalCode(id)) found.add(id);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment, new Set([...seen, selection.name.value]));
      }
    }
  };
  walk(operation.selectionSet, new Set());
  return [...found];
}

interface AnsweredConsent {
  id: string;
  clientId: string;
  purpose: string;
  subjectId: string;
  grantedBy: string;
  fields: string[];
  grantedAt: string;
  validUntil: string;
  revokedAt: string | null;
}

type Entities<T> = { data?: { _entities?: (T | null)[] }; errors?: unknown[] };

export interface ConsentLookupOptions {
  policy: Policy;
  transparencyUrl: () => string;
  identityUrl: () => string;
  /** The gateway's context-signing key, or its holder (rotated without restart). */
  key: CryptoKey | KeyObject | ContextSigningKey;
  /** The policy's digest, bound into every context token (platform/context-token.ts). */
  policyDigest: string;
  fetchImpl?: typeof fetch;
  today?: () => string;
}

export function consentedLookup({ policy, transparencyUrl, identityUrl, key, policyDigest, fetchImpl = fetch, today = clockToday }: ConsentLookupOptions) {
  const ask = async <T>(url: string, audience: string, query: string, subjects: readonly string[], requestId: string): Promise<(T | null)[]> => {
    const context: CallerContext = {
      actor: 'citizen-graph-gateway',
      client: 'citizen-graph-gateway',
      purpose: CONSENT_LOOKUP_PURPOSE,
      acr: 'low',
      requestId,
      scope: { represented: [], any: true },
    };
    const body = JSON.stringify({ query, variables: { r: subjects.map((id) => ({ __typename: 'Citizen', id })) } });
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: signContext(context, audience, key, { body, policyDigest }) },
      body,
      signal: AbortSignal.timeout(3_000),
    });
    const answer = (await response.json()) as Entities<T>;
    if (!response.ok || answer.errors?.length) throw new Error(`${audience} answered ${response.status}`);
    return answer.data?._entities ?? [];
  };

  /** Person -> id of their live consent for this client and purpose (the newest, when several are live). */
  return async function consented(client: string, purpose: string, subjects: readonly string[], requestId: string = randomUUID()): Promise<Record<string, string>> {
    const live: Record<string, string> = {};
    if (subjects.length === 0) return live;
    const day = today();
    const people = await ask<{ id: string; consents: AnsweredConsent[] | null }>(transparencyUrl(), 'transparency', CONSENTS_QUERY, subjects, requestId);
    const candidates: ConsentRecord[] = people.flatMap((p) =>
      (p?.consents ?? []).map((c) => ({ id: c.id, subject: c.subjectId, grantedBy: c.grantedBy, client: c.clientId, purpose: c.purpose, fields: c.fields, grantedAt: c.grantedAt, validUntil: c.validUntil, revokedAt: c.revokedAt })),
    );
    const relevant = candidates.filter((c) => subjects.includes(c.subject) && consentState(policy, c, { client, purpose, today: day, subjectBirthDate: undefined }) !== 'not-for-this-use');
    // A guardian's consent holds only while the person is a minor: their age is the identity register's.
    const byGuardian = [...new Set(relevant.filter((c) => c.grantedBy !== c.subject).map((c) => c.subject))];
    const births = new Map<string, string | null>();
    if (byGuardian.length) {
      const answers = await ask<{ id: string; dateOfBirth: string | null }>(identityUrl(), 'identity', BIRTH_QUERY, byGuardian, requestId);
      for (const a of answers) if (a) births.set(a.id, a.dateOfBirth);
    }
    for (const consent of relevant) {
      if (Object.hasOwn(live, consent.subject)) continue; // newest first
      const state = consentState(policy, consent, { client, purpose, today: day, subjectBirthDate: consent.grantedBy === consent.subject ? undefined : (births.get(consent.subject) ?? null) });
      if (state === 'live') live[consent.subject] = consent.id;
    }
    return live;
  };
}
