/**
 * C2SP signed notes (c2sp.org/signed-note) with timestamped Ed25519
 * signatures (c2sp.org/tlog-cosignature, signature type 0x04): what the audit
 * log signs its checkpoints with (tlog-checkpoint lets a log use the
 * cosignature format; its timestamp is the checkpoint's time), and what
 * witnesses cosign them with. One signature type, as the spec advises.
 *
 * Keys travel as text, in the formats of Go's golang.org/x/mod/sumdb/note:
 *   verifier key  <name>+<key id, 8 hex>+<base64(0x04 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x04 || 32-byte seed)>
 * The key id is SHA-256(name || "\n" || 0x04 || public key)[:4]: a new key
 * under the same name (a rotation) gets a new id, and verifiers pick keys by
 * (name, id).
 *
 * Browser-safe (@noble/curves, @noble/hashes): the portal checks proofs with it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, fromHex, toBase64, toHex } from './merkle.ts';

export const COSIGNATURE_V1 = 0x04;
const MAX_SIGNATURES = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface Verifier {
  name: string;
  /** 4-byte key id as 8 lowercase hex digits. */
  keyId: string;
  publicKey: Uint8Array;
}

export interface Signer extends Verifier {
  seed: Uint8Array;
}

const NAME = /^[^\s+]+$/u;

export function keyIdOf(name: string, publicKey: Uint8Array): string {
  const input = new Uint8Array([...encoder.encode(name), 0x0a, COSIGNATURE_V1, ...publicKey]);
  return toHex(sha256(input).slice(0, 4));
}

export class KeyFormatError extends Error {}

/** The first count-1 "+"-separated parts, and the rest (base64 has "+" in it). */
function splitKey(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let rest = text.trim();
  for (let i = 0; i < count - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...parts, rest];
}

export function parseVerifierKey(text: string): Verifier {
  const parts = splitKey(text, 3);
  if (!parts) throw new KeyFormatError('a verifier key is <name>+<key id>+<base64 key>');
  const [name, keyId, key] = parts as [string, string, string];
  const bytes = fromBase64(key);
  if (!NAME.test(name)) throw new KeyFormatError('a key name has no spaces or "+"');
  if (!bytes || bytes.length !== 33 || bytes[0] !== COSIGNATURE_V1) throw new KeyFormatError('the key must be type 0x04 (timestamped Ed25519) followed by 32 bytes');
  const publicKey = bytes.slice(1);
  if (!/^[0-9a-f]{8}$/.test(keyId) || keyIdOf(name, publicKey) !== keyId) throw new KeyFormatError(`the key id does not match the key (expected ${keyIdOf(name, publicKey)})`);
  return { name, keyId, publicKey };
}

export function parseSignerKey(text: string): Signer {
  const parts = splitKey(text, 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new KeyFormatError('a signer key is PRIVATE+KEY+<name>+<key id>+<base64 key>');
  const [, , name, keyId, key] = parts as [string, string, string, string, string];
  const bytes = fromBase64(key);
  if (!NAME.test(name)) throw new KeyFormatError('a key name has no spaces or "+"');
  if (!bytes || bytes.length !== 33 || bytes[0] !== COSIGNATURE_V1) throw new KeyFormatError('the key must be type 0x04 (timestamped Ed25519) followed by a 32-byte seed');
  const seed = bytes.slice(1);
  const publicKey = ed25519.getPublicKey(seed);
  if (keyIdOf(name, publicKey) !== keyId) throw new KeyFormatError('the key id does not match the key');
  return { name, keyId, publicKey, seed };
}

export const formatVerifierKey = (v: Verifier) => `${v.name}+${v.keyId}+${toBase64(Uint8Array.of(COSIGNATURE_V1, ...v.publicKey))}`;
export const formatSignerKey = (s: Signer) => `PRIVATE+KEY+${s.name}+${s.keyId}+${toBase64(Uint8Array.of(COSIGNATURE_V1, ...s.seed))}`;

/** A new key pair under `name` (from the platform's CSPRNG). */
export function generateSigner(name: string): Signer {
  if (!NAME.test(name)) throw new KeyFormatError('a key name has no spaces or "+"');
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(seed);
  return { name, keyId: keyIdOf(name, publicKey), publicKey, seed };
}

const cosignedMessage = (text: string, timestamp: number) => encoder.encode(`cosignature/v1\ntime ${timestamp}\n${text}`);

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** One signature line (with its trailing newline) over the note text. */
export function signNote(text: string, signer: Signer, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('a timestamp is whole seconds since the epoch');
  const signature = ed25519.sign(cosignedMessage(text, timestamp), signer.seed);
  return `— ${signer.name} ${toBase64(new Uint8Array([...fromHex(signer.keyId)!, ...u64(timestamp), ...signature]))}\n`;
}

export interface NoteSignature {
  name: string;
  keyId: string;
  /** The line as it appears in the note (without its newline). */
  line: string;
  /** Present when the signature is from a known key and verified. */
  timestamp?: number;
}

export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export class NoteError extends Error {}

/** Splits a note into text and signature lines; checks the format, not the signatures. */
export function parseNote(note: string): ParsedNote {
  if (note.length > 64_000) throw new NoteError('the note is too large');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError('a note has no control characters other than newline');
  if (!note.endsWith('\n')) throw new NoteError('a note ends with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('a note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('too many signatures');
  const signatures = lines.map((line) => {
    const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    const bytes = match ? fromBase64(match[2]!) : undefined;
    if (!match || !bytes || bytes.length < 4 || match[1]!.includes('+')) throw new NoteError(`not a signature line: "${line.slice(0, 80)}"`);
    return { name: match[1]!, keyId: toHex(bytes.slice(0, 4)), line };
  });
  if (signatures.length === 0) throw new NoteError('a note has at least one signature');
  return { text, signatures };
}

/**
 * Verifies the signatures from known keys (by name and id; others are ignored,
 * as the spec requires). A known key's signature that fails makes the whole
 * note invalid. Returns the note with `timestamp` set on verified signatures.
 */
export function verifyNote(note: string, verifiers: readonly Verifier[]): ParsedNote {
  const parsed = parseNote(note);
  for (const signature of parsed.signatures) {
    const key = verifiers.find((v) => v.name === signature.name && v.keyId === signature.keyId);
    if (!key) continue;
    const bytes = fromBase64(signature.line.slice(signature.line.lastIndexOf(' ') + 1))!;
    if (bytes.length !== 4 + 8 + 64) throw new NoteError(`the signature of ${signature.name} has the wrong length`);
    const timestamp = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(4));
    if (!Number.isSafeInteger(timestamp)) throw new NoteError(`the signature of ${signature.name} has an impossible time`);
    let valid: boolean;
    try {
      valid = ed25519.verify(bytes.slice(12), cosignedMessage(parsed.text, timestamp), key.publicKey);
    } catch {
      valid = false;
    }
    if (!valid) throw new NoteError(`the signature of ${signature.name} (key ${signature.keyId}) does not verify`);
    signature.timestamp = timestamp;
  }
  return parsed;
}

/** The note text decoded strictly as UTF-8 (a note is valid UTF-8). */
export function noteFromBytes(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new NoteError('a note is valid UTF-8');
  }
}
