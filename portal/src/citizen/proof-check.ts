/**
 * The portal's "check this entry": the same check as `npm run audit --
 * check-proof` (platform/tlog/proof.ts), run here in the browser. The
 * witness's public key comes from the gateway's /audit/witnesses; it is shown
 * with the result, so a citizen can compare it with what the witness's
 * operator publishes, and the proof can be downloaded and checked elsewhere.
 */
import { checkProof } from '../../../platform/tlog/proof.ts';
import { parseVerifierKey } from '../../../platform/tlog/note.ts';

export interface EntryCheck {
  ok: boolean;
  summary: string;
}

interface ShownEntry {
  at: string;
  purpose: string;
  caseReference: string | null;
  fields: string[];
}

const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export async function checkEntryProof(proofJson: string, shown: ShownEntry): Promise<EntryCheck> {
  let keys: { witnesses: string[]; quorum: number };
  try {
    keys = (await (await fetch('/audit/witnesses')).json()) as { witnesses: string[]; quorum: number };
  } catch {
    return { ok: false, summary: 'The witness’s key could not be fetched. Download the proof and check it later.' };
  }
  if (keys.witnesses.length === 0) return { ok: false, summary: 'No witness watches this audit log, so there is nothing to check the entry against.' };
  let result;
  try {
    result = checkProof(JSON.parse(proofJson), { witnesses: keys.witnesses.map(parseVerifierKey), quorum: Math.max(1, keys.quorum) });
  } catch {
    return { ok: false, summary: 'The proof could not be read.' };
  }
  if (!result.ok) return { ok: false, summary: `This entry could not be confirmed: ${result.problems[0] ?? 'the proof does not hold'}.` };
  // The proof must be of the entry shown on this page, not of some other entry.
  const entry = result.entry!;
  const sameFields = entry.subject.fields.map((f) => f.field).sort().join('|') === [...shown.fields].sort().join('|');
  if (entry.recordedAt !== shown.at || entry.purpose !== shown.purpose || (entry.caseRef ?? null) !== shown.caseReference || !sameFields) {
    return { ok: false, summary: 'The proof is not of the entry shown here.' };
  }
  const witness = result.checkpoint!.witnessedBy[0]!;
  return {
    ok: true,
    summary: `Confirmed: this entry is in the state’s audit log exactly as shown, and cannot be removed or changed unnoticed. The independent witness ${witness.name} (key ${witness.keyId}) confirmed the log, with this entry in it, on ${when(witness.at)}.`,
  };
}
