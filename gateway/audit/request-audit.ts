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
import type { ReturnedFieldCollector } from '../enforcement/filter-response.ts';
import type { AuditContent, Denial, FieldRef, SubjectFields } from './chain.ts';
import type { FieldOwners } from './field-owners.ts';
import type { AuditWriter } from './writer.ts';

export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

/** Error codes that mean "refused", and make a request worth a denied record. */
const DENIAL_CODES = new Set(['UNAUTHORIZED_FIELD_OR_TYPE', 'PURPOSE_NOT_ALLOWED', 'CASE_REFERENCE_REQUIRED']);

export interface ReturnedFields {
  collect: ReturnedFieldCollector;
  subjects: Map<string, Set<string>>;
  other: Set<string>;
}

export function returnedFields(): ReturnedFields {
  const subjects = new Map<string, Set<string>>();
  const other = new Set<string>();
  return {
    subjects,
    other,
    collect(subjectId, field) {
      if (subjectId === undefined) return void other.add(field);
      let fields = subjects.get(subjectId);
      if (!fields) subjects.set(subjectId, (fields = new Set()));
      fields.add(field);
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
}

export interface RequestAuditor {
  /** Writes the record this outcome needs (resolves once durable); false when none was needed. Throws AuditUnavailable. */
  record(outcome: RequestOutcome): Promise<boolean>;
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

  return {
    writer,
    async record(outcome) {
      // A partner's read names the consent it rests on, per person (the tracker and the audit search show it).
      const consents = outcome.caller.scope?.consented;
      const subjects = [...(outcome.returned?.subjects ?? [])]
        .map(([id, fields]): SubjectFields => (consents && Object.hasOwn(consents, id) ? { id, fields: refs(fields), consent: consents[id]! } : { id, fields: refs(fields) }))
        .filter((s) => s.fields.length > 0)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const otherFields = refs(outcome.returned?.other ?? []);
      const denials: Denial[] = [];
      for (const error of outcome.errors ?? []) {
        const code = error.extensions?.code;
        if (typeof code !== 'string' || !DENIAL_CODES.has(code)) continue;
        const field = error.extensions?.field;
        denials.push(typeof field === 'string' ? { code, field } : { code });
      }
      const served = subjects.length > 0 || otherFields.length > 0;
      if (!served && denials.length === 0) return false;
      const { caller } = outcome;
      const basis = policy.purposes[caller.purpose]?.legalBasis;
      const content: AuditContent = {
        recordedAt: new Date().toISOString(),
        requestId: caller.requestId,
        client: caller.client,
        actor: caller.actor,
        purpose: caller.purpose,
        legalBasis: basis ? `${basis.kind}: ${basis.reference.replace(/\s+/g, ' ').trim()}` : null,
        caseRef: caller.caseRef ?? null,
        operationName: outcome.operationName ?? null,
        operationHash: createHash('sha256').update(outcome.source ?? '').digest('hex'),
        outcome: served ? 'served' : 'denied',
        denials,
        subjects,
        otherFields,
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
