/**
 * What one audit record contributes to the Merkle tree: the leaf data is the
 * RFC 8785 canonical JSON of a leaf document that shows what a citizen's data
 * tracker shows (when, which application, purpose, legal basis, case,
 * outcome) and *commits* to the rest, so that an inclusion proof can be handed
 * to one person without telling them anything about anyone else:
 *
 * - each subject of the record (a page of a thousand citizens is one record)
 *   as SHA-256 over { salt, id, fields }, with a salt of its own. A personal
 *   code has little entropy (a birth date and a serial), so without the salt a
 *   citizen could test guesses against the others' commitments;
 * - everything else (request id, actor, operation, denials, other fields and
 *   the record's hash-chain hash, which binds the tree to the chain) as one
 *   salted hash, `sealed`.
 *
 * The record's salt (16 random bytes, kept with the tree) derives each
 * subject's salt as HMAC-SHA-256(record salt, "citizen-graph/audit-subject/v1\n" || id):
 * a citizen given their own salt learns no one else's.
 *
 * Browser-safe: the portal recomputes a leaf from the entry it shows.
 */
import canonicalize from 'canonicalize';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { leafHash, toBase64, toHex, type Hash } from './merkle.ts';

export const LEAF_VERSION = 'citizen-graph/audit-leaf/v1';
const encoder = new TextEncoder();

export interface LeafField {
  field: string;
  agency: string;
}

export interface LeafSubject {
  id: string;
  fields: readonly LeafField[];
}

/** The part of a record the leaf shows as it is. */
export interface LeafPublic {
  seq: number;
  recordedAt: string;
  client: string;
  purpose: string;
  legalBasis: string | null;
  caseRef: string | null;
  outcome: string;
}

/** A whole audit record (gateway/audit/chain.ts's ChainedRecord has this shape). */
export interface LeafRecord extends LeafPublic {
  requestId: string;
  actor: string;
  operationName: string | null;
  operationHash: string;
  denials: readonly unknown[];
  subjects: readonly LeafSubject[];
  otherFields: readonly unknown[];
  /** The record's hash in the hash chain. */
  hash: string;
}

const canonical = (value: unknown) => encoder.encode(canonicalize(value)!);

export const subjectSalt = (recordSalt: Uint8Array, id: string): Uint8Array =>
  hmac(sha256, recordSalt, encoder.encode(`citizen-graph/audit-subject/v1\n${id}`));

export const subjectCommitment = (salt: Uint8Array, subject: LeafSubject): string =>
  toHex(sha256(canonical({ salt: toBase64(salt), id: subject.id, fields: subject.fields.map((f) => ({ field: f.field, agency: f.agency })) })));

export function sealedPart(recordSalt: Uint8Array, record: LeafRecord): string {
  return toHex(
    sha256(
      canonical({
        salt: toBase64(recordSalt),
        requestId: record.requestId,
        actor: record.actor,
        operationName: record.operationName,
        operationHash: record.operationHash,
        denials: record.denials,
        otherFields: record.otherFields,
        recordHash: record.hash,
      }),
    ),
  );
}

/** The leaf's data: the canonical leaf document. */
export function leafData(shown: LeafPublic, subjects: readonly string[], sealed: string): Uint8Array {
  return canonical({
    v: LEAF_VERSION,
    seq: shown.seq,
    recordedAt: shown.recordedAt,
    client: shown.client,
    purpose: shown.purpose,
    legalBasis: shown.legalBasis,
    caseRef: shown.caseRef,
    outcome: shown.outcome,
    subjects,
    sealed,
  });
}

/** What the tree holds for a record: its leaf hash, and the commitments a proof hands out. */
export function recordLeaf(record: LeafRecord, recordSalt: Uint8Array): { hash: Hash; subjects: string[]; sealed: string } {
  const subjects = record.subjects.map((s) => subjectCommitment(subjectSalt(recordSalt, s.id), s));
  const sealed = sealedPart(recordSalt, record);
  return { hash: leafHash(leafData(record, subjects, sealed)), subjects, sealed };
}
