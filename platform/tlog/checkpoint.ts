/**
 * C2SP checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is the
 * log's origin, its tree size and its RFC 6962 root hash. The audit log signs
 * it with a timestamped signature (note.ts), which gives the checkpoint its
 * time and key id; witnesses add their cosignatures to the same note.
 */
import { fromBase64, toBase64, type Hash } from './merkle.ts';
import { NoteError, parseNote, signNote, verifyNote, type NoteSignature, type Signer, type Verifier } from './note.ts';

export interface TreeHead {
  origin: string;
  size: number;
  root: Hash;
}

export const checkpointText = (head: TreeHead) => `${head.origin}\n${head.size}\n${toBase64(head.root)}\n`;

export function parseCheckpointText(text: string): TreeHead {
  const lines = text.split('\n');
  // Three lines and the final newline; this log writes no extension lines, so none are accepted.
  if (lines.length !== 4 || lines[3] !== '') throw new NoteError('a checkpoint is three lines: origin, tree size, root hash');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin || /\s|\+/u.test(origin)) throw new NoteError('a checkpoint origin has no spaces or "+"');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new NoteError('a checkpoint tree size is a decimal number without leading zeroes');
  const root = fromBase64(rootText);
  if (!root || root.length !== 32) throw new NoteError('a checkpoint root hash is 32 bytes in base64');
  return { origin, size: Number(sizeText), root };
}

/** The signed checkpoint: its text and the log's signature line. */
export function signCheckpoint(head: TreeHead, signer: Signer, timestamp: number): string {
  const text = checkpointText(head);
  return `${text}\n${signNote(text, signer, timestamp)}`;
}

export interface VerifiedCheckpoint extends TreeHead {
  note: string;
  /** The signatures whose keys were given and that verified, with their time. */
  verified: (NoteSignature & { timestamp: number })[];
}

/** Parses and verifies a checkpoint note against the keys given (any of them may have signed). */
export function openCheckpoint(note: string, verifiers: readonly Verifier[]): VerifiedCheckpoint {
  const parsed = verifyNote(note, verifiers);
  const head = parseCheckpointText(parsed.text);
  return { ...head, note, verified: parsed.signatures.filter((s): s is NoteSignature & { timestamp: number } => s.timestamp !== undefined) };
}

/** Adds signature lines (a witness's answer) to a note, dropping exact duplicates. */
export function addSignatures(note: string, lines: string): string {
  const parsed = parseNote(note);
  const existing = new Set(parsed.signatures.map((s) => s.line));
  const added = lines.split('\n').filter((line) => line && !existing.has(line));
  return note + added.map((line) => `${line}\n`).join('');
}
