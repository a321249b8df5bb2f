/**
 * A citizen's proof that one entry of their data tracker is in the audit log,
 * and its offline check. The same function runs in `npm run audit --
 * check-proof file.json` and in the portal's "check this entry".
 *
 * The proof (JSON) carries the entry as the tracker shows it, the person's own
 * subject salt, the other commitments of the leaf (opaque), an RFC 6962
 * inclusion proof, and the checkpoint the log signed and the witness
 * cosigned. The check trusts nothing in the file except through the keys it
 * is given: the witness's public key (and optionally the log's).
 */
import { leafData, subjectCommitment, type LeafField, type LeafPublic } from './leaf.ts';
import { fromBase64, leafHash, toHex, verifyInclusion } from './merkle.ts';
import { openCheckpoint, type VerifiedCheckpoint } from './checkpoint.ts';
import type { Verifier } from './note.ts';

export const PROOF_FORMAT = 'citizen-graph/audit-proof/v1';

export interface AuditProof {
  format: typeof PROOF_FORMAT;
  /** The entry as recorded, and the person's own part of it with its salt (base64). */
  entry: LeafPublic & { subject: { id: string; fields: LeafField[]; salt: string } };
  /** The leaf's other parts: every subject's commitment (hex) and the sealed rest. */
  leaf: { index: number; subjects: string[]; sealed: string };
  inclusion: { treeSize: number; hashes: string[] };
  /** The signed, cosigned checkpoint (a C2SP signed note). */
  checkpoint: string;
}

export interface Trust {
  /** Witnesses whose cosignature counts. */
  witnesses: readonly Verifier[];
  /** How many of them must have cosigned (default 1). */
  quorum?: number;
  /** When given, the log's own signature must verify too. */
  log?: readonly Verifier[];
}

export interface ProofCheck {
  ok: boolean;
  /** Why not, in plain sentences; empty when ok. */
  problems: string[];
  entry?: AuditProof['entry'];
  checkpoint?: { origin: string; size: number; root: string; loggedAt?: string; witnessedBy: { name: string; keyId: string; at: string }[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown) => v === null || isString(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The proof's shape, or the first thing wrong with it. */
export function parseProof(input: unknown): AuditProof | string {
  if (!isObject(input) || input.format !== PROOF_FORMAT) return `this is not an audit proof (expected format "${PROOF_FORMAT}")`;
  const { entry, leaf, inclusion, checkpoint } = input;
  if (!isObject(entry) || !isCount(entry.seq) || !isString(entry.recordedAt) || !isString(entry.client) || !isString(entry.purpose) || !isStringOrNull(entry.legalBasis) || !isStringOrNull(entry.caseRef) || !isString(entry.outcome)) {
    return 'the proof does not describe an entry';
  }
  const subject = entry.subject;
  if (!isObject(subject) || !isString(subject.id) || !isString(subject.salt) || !Array.isArray(subject.fields) || !subject.fields.every((f) => isObject(f) && isString(f.field) && isString(f.agency))) {
    return 'the proof does not say whose entry it is';
  }
  if (!isObject(leaf) || !isCount(leaf.index) || !Array.isArray(leaf.subjects) || !leaf.subjects.every(isString) || !isString(leaf.sealed)) return 'the proof has no leaf';
  if (!isObject(inclusion) || !isCount(inclusion.treeSize) || !Array.isArray(inclusion.hashes) || !inclusion.hashes.every(isString) || inclusion.hashes.length > 64) {
    return 'the proof has no inclusion path';
  }
  if (!isString(checkpoint)) return 'the proof has no checkpoint';
  return input as unknown as AuditProof;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function checkProof(input: unknown, trust: Trust): ProofCheck {
  const proof = parseProof(input);
  if (typeof proof === 'string') return { ok: false, problems: [proof] };
  const problems: string[] = [];
  let opened: VerifiedCheckpoint;
  try {
    opened = openCheckpoint(proof.checkpoint, [...trust.witnesses, ...(trust.log ?? [])]);
  } catch (error) {
    return { ok: false, problems: [`the checkpoint is not valid: ${(error as Error).message}`], entry: proof.entry };
  }
  const isWitness = (s: { name: string; keyId: string }) => trust.witnesses.some((w) => w.name === s.name && w.keyId === s.keyId);
  const witnessedBy = opened.verified.filter(isWitness).map((s) => ({ name: s.name, keyId: s.keyId, at: iso(s.timestamp) }));
  const logSignature = opened.verified.find((s) => trust.log?.some((l) => l.name === s.name && l.keyId === s.keyId));
  const checkpoint = { origin: opened.origin, size: opened.size, root: toHex(opened.root), loggedAt: logSignature ? iso(logSignature.timestamp) : undefined, witnessedBy };

  const quorum = trust.quorum ?? 1;
  if (new Set(witnessedBy.map((w) => `${w.name}+${w.keyId}`)).size < quorum) {
    problems.push(quorum === 1 ? 'the checkpoint is not cosigned by the witness you trust' : `the checkpoint is cosigned by ${witnessedBy.length} of the ${quorum} witnesses needed`);
  }
  if (trust.log && !logSignature) problems.push("the checkpoint is not signed by the audit log's key");
  if (proof.inclusion.treeSize !== opened.size) problems.push(`the inclusion path is for a log of ${proof.inclusion.treeSize} records, the checkpoint is for ${opened.size}`);
  if (proof.leaf.index !== proof.entry.seq - 1) problems.push(`entry ${proof.entry.seq} must be leaf ${proof.entry.seq - 1}, not ${proof.leaf.index}`);

  const salt = fromBase64(proof.entry.subject.salt);
  const own = salt ? subjectCommitment(salt, proof.entry.subject) : undefined;
  if (!own || !proof.leaf.subjects.includes(own)) problems.push('the entry does not name this person as recorded');

  const hashes = proof.inclusion.hashes.map(fromBase64);
  if (hashes.some((h) => !h || h.length !== 32)) {
    problems.push('the inclusion path is malformed');
  } else if (problems.length === 0) {
    const leaf = leafHash(leafData(proof.entry, proof.leaf.subjects, proof.leaf.sealed));
    if (!verifyInclusion(proof.leaf.index, opened.size, leaf, hashes as Uint8Array[], opened.root)) {
      problems.push('the entry, as shown, is not in the audit log the witness cosigned: it differs from what was recorded, or the proof was altered');
    }
  }
  return { ok: problems.length === 0, problems, entry: proof.entry, checkpoint };
}
