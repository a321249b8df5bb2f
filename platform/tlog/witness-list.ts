/** Witnesses as configured (AUDIT_WITNESSES): where each is, and the key its cosignatures verify with. */
import { parseVerifierKey, type Verifier } from './note.ts';

export interface WitnessEndpoint {
  /** Its submission (and monitoring) prefix, e.g. http://127.0.0.1:4010. */
  url: string;
  verifier: Verifier;
}

export const witnessKey = (v: Pick<Verifier, 'name' | 'keyId'>) => `${v.name}+${v.keyId}`;

/** "<url> <verifier key>" pairs separated by commas (AUDIT_WITNESSES). */
export function parseWitnessList(text: string): WitnessEndpoint[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [url, key, ...rest] = item.split(/\s+/);
      if (!url || !key || rest.length > 0 || !/^https?:\/\//.test(url)) throw new Error(`a witness is "<http(s) URL> <verifier key>", not "${item.slice(0, 60)}"`);
      return { url, verifier: parseVerifierKey(key) };
    });
}
