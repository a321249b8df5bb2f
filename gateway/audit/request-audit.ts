/**
 * From a request's outcome to its audit record: who (client, actor), why
 * (purpose, legal basis as the policy states it now, case reference), what
 * (operation name and hash) and, per subject, which fields left the gateway
 * with the agency that owns each. Operations that return no personal data and
 * were refused nothing need no record.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { GraphQLFormattedError } from 'graphql';
import { classify } from '../../permissions/decide.ts';
import { PUBLIC, type Policy } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';
import { currentTraceId } from '../../platform/telemetry.ts';
import type { ReturnedFieldCollector } from '../enforcement/plan.ts';
import type { AuditContent, Denial, FieldRef, SubjectFields } from './chain.ts';
import type { FieldOwners } from './field-owners.ts';
import type { AuditWriter } from './writer.ts';

export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

/** Error codes that mean "refused", and make a request worth a denied record. */
const DENIAL_CODES = new Set(['UNAUTHORIZED_FIELD_OR_TYPE', 'PURPOSE_NOT_ALLOWED', 'CASE_REFERENCE_REQUIRED', 'ACTOR_NOT_ALLOWED']);

/**
 * The fields one subject was told, shared by every subject told the same ones in the same order: a page of a
 * thousand people holds a handful of these, not a thousand sets, and each is listed for the record once.
 */
export interface FieldSet {
  readonly fields: ReadonlySet<string>;
  /** The set with one more field. */
  readonly next: Map<string, FieldSet>;
}

export interface ReturnedFields {
  collect: ReturnedFieldCollector;
  subjects: Map<string, FieldSet>;
  other: Set<string>;
}

export function returnedFields(): ReturnedFields {
  const none: FieldSet = { fields: new Set(), next: new Map() };
  const subjects = new Map<string, FieldSet>();
  const other = new Set<string>();
  return {
    subjects,
    other,
    collect(subjectId, field) {
      if (subjectId === undefined) return void other.add(field);
      const told = subjects.get(subjectId) ?? none;
      if (told.fields.has(field)) return;
      let next = told.next.get(field);
      if (!next) told.next.set(field, (next = { fields: new Set([...told.fields, field]), next: new Map() }));
      subjects.set(subjectId, next);
    },
  };
}

export interface RequestOutcome {
  caller: Pick<CallerContext, 'actor' | 'client' | 'purpose' | 'caseRef' | 'requestId'> & Partial<Pick<CallerContext, 'scope'>>;
  operationName?: string | null;
  /** The operation text as the client sent it (only its hash is kept). */
  source?: string;
  returned?: ReturnedFields;
  errors?: readonly Pick<GraphQLFormattedError, 'extensions'>[];
  /** People a refused part of the request was about (a root field's argument, a record whose fields were refused). */
  targeted?: ReadonlySet<string>;
}

export interface MutationIntent {
  caller: RequestOutcome['caller'];
  operationName?: string | null;
  source?: string;
  /** `Mutation.field` of every mutation the operation is about to call. */
  mutations: readonly string[];
  /** Per mutation called, the people it writes about (policy `roots`): the record names them, so their tracker shows it. */
  about?: readonly { mutation: string; subjects: readonly string[] }[];
}

export interface RequestAuditor {
  /** Writes the record this outcome needs (resolves once durable); false when none was needed. Throws AuditUnavailable. */
  record(outcome: RequestOutcome): Promise<boolean>;
  /**
   * Writes, before a mutation runs, the record that it is about to (resolves once durable): a change is
   * never made that the log does not hold. Throws AuditUnavailable, and then the mutation must not run.
   */
  recordIntent(intent: MutationIntent): Promise<void>;
  writer: AuditWriter;
}

export function requestAuditor(policy: Policy, owners: FieldOwners, writer: AuditWriter): RequestAuditor {
  const isPersonal = (field: string) => {
    const category = classify(policy, field);
    // Unclassified fields are never served (default deny); treat anything not public as personal.
    return category !== PUBLIC;
  };
  // A page of citizens returns the same fields for most of them: one frozen list per distinct set of fields,
  // shared by every subject that has it (chain.ts then makes its canonical form once).
  const refsBySet = new LRUCache<string, readonly FieldRef[]>({ max: 1_000 });
  const refs = (fields: Iterable<string>): FieldRef[] => {
    const names = [...fields].sort();
    const key = names.join('|');
    let cached = refsBySet.get(key);
    if (!cached) {
      cached = Object.freeze(names.filter(isPersonal).map((field) => Object.freeze({ field, agency: owners.get(field) ?? 'unknown' })));
      refsBySet.set(key, cached);
    }
    return cached as FieldRef[]; // frozen: a mutation would throw (ES modules are strict), never corrupt another record
  };
  const listed = new WeakMap<FieldSet, FieldRef[]>();
  const refsOfSet = (set: FieldSet): FieldRef[] => {
    let found = listed.get(set);
    if (!found) listed.set(set, (found = refs(set.fields)));
    return found;
  };

  const contentOf = (caller: RequestOutcome['caller'], operationName: string | null | undefined, source: string | undefined): Omit<AuditContent, 'outcome' | 'denials' | 'subjects' | 'otherFields'> => {
    const basis = policy.purposes[caller.purpose]?.legalBasis;
    return {
      recordedAt: new Date().toISOString(),
      requestId: caller.requestId,
      client: caller.client,
      actor: caller.actor,
      purpose: caller.purpose,
      legalBasis: basis ? `${basis.kind}: ${basis.reference.replace(/\s+/g, ' ').trim()}` : null,
      caseRef: caller.caseRef ?? null,
      operationName: operationName ?? null,
      operationHash: createHash('sha256').update(source ?? '').digest('hex'),
    };
  };

  return {
    writer,
    async recordIntent({ caller, operationName, source, mutations, about = [] }) {
      const bySubject = new Map<string, Set<string>>();
      const named = new Set<string>();
      for (const { mutation, subjects } of about) {
        for (const id of subjects) {
          named.add(mutation);
          let fields = bySubject.get(id);
          if (!fields) bySubject.set(id, (fields = new Set()));
          fields.add(mutation);
        }
      }
      const subjects = [...bySubject].map(([id, fields]) => ({ id, fields: refs(fields) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await writer.write({ ...contentOf(caller, operationName, source), outcome: 'served', denials: [], subjects, otherFields: refs(mutations.filter((m) => !named.has(m))) });
    },
    async record(outcome) {
      // A partner's read names the consent it rests on, per person (the tracker and the audit search show it).
      const consents = outcome.caller.scope?.consented;
      const subjects = [...(outcome.returned?.subjects ?? [])]
        .map(([id, set]): SubjectFields => (consents && Object.hasOwn(consents, id) ? { id, fields: refsOfSet(set), consent: consents[id]! } : { id, fields: refsOfSet(set) }))
        .filter((s) => s.fields.length > 0);
      const servedSubjects = subjects.length;
      // A refused attempt is recorded with whom it targeted (no fields: nothing of theirs left), so it shows in their
      // data tracker and in the privacy officer's search by subject.
      for (const id of outcome.targeted ?? []) if (!subjects.some((s) => s.id === id)) subjects.push({ id, fields: [] });
      subjects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const otherFields = refs(outcome.returned?.other ?? []);
      const denials: Denial[] = [];
      for (const error of outcome.errors ?? []) {
        const code = error.extensions?.code;
        if (typeof code !== 'string' || !DENIAL_CODES.has(code)) continue;
        const field = error.extensions?.field;
        denials.push(typeof field === 'string' ? { code, field } : { code });
      }
      const served = servedSubjects > 0 || otherFields.length > 0;
      if (!served && denials.length === 0) return false;
      const content: AuditContent = {
        ...contentOf(outcome.caller, outcome.operationName, outcome.source),
        outcome: served ? 'served' : 'denied',
        denials,
        subjects,
        otherFields,
        traceId: currentTraceId() ?? null,
      };
      await writer.write(content);
      return true;
    },
  };
}

/** What a client gets instead of personal data when the audit log cannot be written. */
export function auditUnavailableError(): GraphQLFormattedError {
  return {
    message: 'The audit log is unavailable, so no personal data can be served right now. Try again shortly.',
    extensions: { code: AUDIT_UNAVAILABLE },
  };
}
