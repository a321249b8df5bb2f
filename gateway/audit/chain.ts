/**
 * The hash chain. Each record's hash is SHA-256 over the RFC 8785 canonical
 * JSON (the `canonicalize` package) of its content, its sequence number and
 * its predecessor's hash, so that any edit changes the hash, a deletion leaves
 * a gap in the sequence, and a reordering breaks a predecessor link.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditedSubject, Denial, FieldRef } from '../../platform/audit-row.ts';

export const GENESIS_HASH = '0'.repeat(64);

// The audit_record table (subgraphs/transparency owns it) and a record's content share these shapes.
export type { Denial, FieldRef } from '../../platform/audit-row.ts';

/** A subject of a record (`consent`, when there is one, is canonicalised like any other key, see canonicalRecord). */
export type SubjectFields = AuditedSubject;

/** What a record says (never the values read). */
export interface AuditContent {
  /** ISO 8601 with milliseconds: exactly what PostgreSQL's timestamptz gives back. */
  recordedAt: string;
  requestId: string;
  client: string;
  actor: string;
  purpose: string;
  legalBasis: string | null;
  caseRef: string | null;
  operationName: string | null;
  operationHash: string;
  outcome: 'served' | 'denied';
  denials: Denial[];
  subjects: SubjectFields[];
  otherFields: FieldRef[];
  /** The request's trace (platform/telemetry.ts), when tracing is on: outside the hash, an operator's pointer only. */
  traceId?: string | null;
}

export interface ChainedRecord extends AuditContent {
  seq: number;
  prevHash: string;
  hash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type RecordBody = AuditContent & { seq: number; prevHash: string };

export function recordHash(content: AuditContent, seq: number, prevHash: string): string {
  const body: RecordBody = {
    recordedAt: content.recordedAt,
    requestId: content.requestId,
    client: content.client,
    actor: content.actor,
    purpose: content.purpose,
    legalBasis: content.legalBasis,
    caseRef: content.caseRef,
    operationName: content.operationName,
    operationHash: content.operationHash,
    outcome: content.outcome,
    denials: content.denials,
    subjects: content.subjects,
    otherFields: content.otherFields,
    seq,
    prevHash,
  };
  return sha256(canonicalRecord(body));
}

/** Field lists are frozen once built (request-audit.ts), so a cached form cannot go stale. */
const canonicalFields = new WeakMap<readonly FieldRef[], string>();

/**
 * Exactly `canonicalize(body)`, assembled from canonicalize's output for each
 * part: a record about a page of a thousand citizens repeats the same field
 * list per subject, and request-audit.ts hands every subject with the same
 * fields the same array, whose canonical form is then made once.
 * test/audit/chain.test.ts checks it against canonicalize on varied records.
 */
export function canonicalRecord(body: RecordBody): string {
  // RFC 8785 orders keys by UTF-16 code units: for these ASCII names, the default sort.
  const keys = (Object.keys(body) as (keyof RecordBody)[]).sort();
  const parts = keys.map((key) => {
    if (key !== 'subjects') return `${JSON.stringify(key)}:${canonicalize(body[key])!}`;
    const subjects = body.subjects.map((subject) => {
      // Any other shape than { id, fields } goes the general way, so nothing is ever left out of the hash.
      if (Object.keys(subject).length !== 2 || !Array.isArray(subject.fields) || typeof subject.id !== 'string') return canonicalize(subject)!;
      let fields = canonicalFields.get(subject.fields);
      if (fields === undefined) canonicalFields.set(subject.fields, (fields = canonicalize(subject.fields)!));
      // RFC 8785 writes a string as ECMAScript's JSON.stringify does (§3.2.2.2).
      return `{"fields":${fields},"id":${JSON.stringify(subject.id)}}`;
    });
    return `"subjects":[${subjects.join(',')}]`;
  });
  return `{${parts.join(',')}}`;
}

/** Links `contents` after the head (seq, hash), in order. */
export function chain(contents: readonly AuditContent[], head: { seq: number; hash: string }): ChainedRecord[] {
  let { seq, hash } = head;
  return contents.map((content) => {
    seq += 1;
    const record = { ...content, seq, prevHash: hash, hash: recordHash(content, seq, hash) };
    hash = record.hash;
    return record;
  });
}

export interface Checkpoint {
  throughSeq: number;
  throughHash: string;
  archivedRecords: number;
  createdAt: string;
  prevCheckpoint: string;
  hash: string;
}

export function checkpointHash(checkpoint: Omit<Checkpoint, 'hash'>): string {
  return sha256(
    canonicalize({
      throughSeq: checkpoint.throughSeq,
      throughHash: checkpoint.throughHash,
      archivedRecords: checkpoint.archivedRecords,
      createdAt: checkpoint.createdAt,
      prevCheckpoint: checkpoint.prevCheckpoint,
    })!,
  );
}
