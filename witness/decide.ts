/**
 * The witness's decision on an add-checkpoint request (c2sp.org/tlog-witness),
 * as a pure function of the request body, the logs it witnesses and what it
 * last cosigned for that log. It cosigns only a checkpoint that the log
 * signed and that is an append-only extension (RFC 6962 consistency proof) of
 * the last one it cosigned; every refusal has the status code the protocol
 * gives it and a reason.
 */
import { openCheckpoint, type VerifiedCheckpoint } from '../platform/tlog/checkpoint.ts';
import { fromBase64, toBase64, verifyConsistency, type Hash } from '../platform/tlog/merkle.ts';
import { NoteError, type Verifier } from '../platform/tlog/note.ts';

/** What the witness keeps per log: the latest checkpoint it cosigned. */
export interface WitnessedHead {
  origin: string;
  size: number;
  /** base64 root hash. */
  root: string;
  /** The checkpoint as cosigned: the log's signature and this witness's cosignature. */
  note: string;
}

export interface WitnessedLog {
  origin: string;
  /** The log's keys (several during a rotation). */
  keys: readonly Verifier[];
}

export type AddCheckpointDecision =
  | { status: 200; checkpoint: VerifiedCheckpoint }
  | { status: 409; reason: string; size: number }
  | { status: 400 | 403 | 404 | 422; reason: string };

interface Request {
  oldSize: number;
  proof: Hash[];
  note: string;
}

const MAX_PROOF = 63;

function parseRequest(body: string): Request | string {
  const lines = body.split('\n');
  const oldLine = /^old (0|[1-9][0-9]{0,15})$/.exec(lines[0] ?? '');
  if (!oldLine) return 'the body starts with "old <size>"';
  const proof: Hash[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const hash = fromBase64(lines[i]!);
    if (!hash || hash.length !== 32) return `proof line ${i} is not a base64 hash`;
    proof.push(hash);
  }
  if (i >= lines.length) return 'the proof ends with an empty line, then the checkpoint';
  if (proof.length > MAX_PROOF) return `at most ${MAX_PROOF} proof lines`;
  return { oldSize: Number(oldLine[1]), proof, note: lines.slice(i + 1).join('\n') };
}

export function decideAddCheckpoint(body: string, logs: readonly WitnessedLog[], latest: (origin: string) => WitnessedHead | undefined): AddCheckpointDecision {
  const request = parseRequest(body);
  if (typeof request === 'string') return { status: 400, reason: request };
  const origin = request.note.split('\n', 1)[0] ?? '';
  const log = logs.find((l) => l.origin === origin);
  if (!log) return { status: 404, reason: `no log "${origin.slice(0, 100)}" is witnessed here` };
  let checkpoint: VerifiedCheckpoint;
  try {
    checkpoint = openCheckpoint(request.note, log.keys);
  } catch (error) {
    if (error instanceof NoteError) return { status: /does not verify/.test(error.message) ? 403 : 400, reason: error.message };
    throw error;
  }
  if (checkpoint.verified.length === 0) return { status: 403, reason: 'the checkpoint is not signed by a key of this log' };
  if (request.oldSize > checkpoint.size) return { status: 400, reason: `old size ${request.oldSize} is larger than the checkpoint's ${checkpoint.size}` };

  const previous = latest(origin);
  const knownSize = previous?.size ?? 0;
  if (request.oldSize !== knownSize) return { status: 409, reason: `the latest cosigned checkpoint has size ${knownSize}`, size: knownSize };
  if (request.oldSize === 0) {
    // First sight of this log (trust on first use): nothing to be consistent with.
    return request.proof.length === 0 ? { status: 200, checkpoint } : { status: 400, reason: 'the proof must be empty from size 0' };
  }
  const previousRoot = fromBase64(previous!.root)!;
  if (request.oldSize === checkpoint.size) {
    if (request.proof.length > 0) return { status: 400, reason: 'the proof must be empty for the same size' };
    return toBase64(checkpoint.root) === previous!.root ? { status: 200, checkpoint } : { status: 409, reason: `a different root for size ${checkpoint.size}: the log forked`, size: knownSize };
  }
  if (!verifyConsistency(request.oldSize, checkpoint.size, request.proof, previousRoot, checkpoint.root)) {
    return { status: 422, reason: `the checkpoint of size ${checkpoint.size} is not an append-only extension of the cosigned one of size ${request.oldSize}` };
  }
  return { status: 200, checkpoint };
}
