/**
 * The log's side of the witness protocol (c2sp.org/tlog-witness): submit a
 * checkpoint with a consistency proof from the size the witness last
 * cosigned; read back the latest checkpoint a witness cosigned (verify).
 */
import { toBase64, type Hash } from '../../platform/tlog/merkle.ts';
import type { WitnessEndpoint } from '../../platform/tlog/witness-list.ts';

export { witnessKey, type WitnessEndpoint } from '../../platform/tlog/witness-list.ts';

export type SubmitResult =
  | { ok: true; lines: string }
  /** 409 with the witness's size: it has cosigned another size than we thought. */
  | { ok: false; status: number; reason: string; size?: number };

export async function submitCheckpoint(endpoint: WitnessEndpoint, oldSize: number, proof: readonly Hash[], note: string, timeoutMs: number): Promise<SubmitResult> {
  const body = `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
  let response: Response;
  try {
    response = await fetch(`${endpoint.url.replace(/\/$/, '')}/add-checkpoint`, { method: 'POST', body, headers: { 'content-type': 'text/plain' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { ok: false, status: 0, reason: `unreachable (${(error as Error).name === 'TimeoutError' ? 'timed out' : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message)})` };
  }
  const text = (await response.text()).slice(0, 10_000);
  if (response.ok) return { ok: true, lines: text };
  if (response.status === 409 && response.headers.get('content-type')?.startsWith('text/x.tlog.size') && /^\d{1,16}\n?$/.test(text)) {
    return { ok: false, status: 409, reason: 'the witness has cosigned another size', size: Number(text.trim()) };
  }
  return { ok: false, status: response.status, reason: text.trim().slice(0, 300) || `HTTP ${response.status}` };
}

/** The latest checkpoint the witness cosigned for `origin`: undefined if none, throws if unreachable. */
export async function latestFromWitness(endpoint: WitnessEndpoint, origin: string, timeoutMs = 5_000): Promise<string | undefined> {
  const response = await fetch(`${endpoint.url.replace(/\/$/, '')}/checkpoint?origin=${encodeURIComponent(origin)}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`the witness answered HTTP ${response.status}`);
  return response.text();
}

