/**
 * Who sent a message: its JWS verified in the browser against the agencies'
 * public keys, which come from the portal's own origin (`/portal/senders.json`),
 * not with the message. A message verifies only if the signature holds, the
 * key belongs to the agency it claims, and the signed text is what is shown.
 */
import { compactVerify, importJWK, type JWK } from 'jose';

interface SenderKey extends JWK {
  kid: string;
  agency: string;
}

let senders: Promise<SenderKey[]> | undefined;
const loadSenders = () =>
  (senders ??= fetch('/portal/senders.json')
    .then((r) => (r.ok ? (r.json() as Promise<{ keys: SenderKey[] }>) : { keys: [] }))
    .then((body) => body.keys)
    .catch(() => []));

export interface Verified {
  agency: string;
}

/** The verified sender, or null: a missing, broken or foreign signature never verifies. */
export async function verifySender(jws: string | null, expected: { id: string; key: string; params: Record<string, unknown> }): Promise<Verified | null> {
  if (!jws) return null;
  try {
    const keys = await loadSenders();
    const header = JSON.parse(atob(jws.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { kid?: string };
    const sender = keys.find((k) => k.kid === header.kid);
    if (!sender) return null;
    const { payload } = await compactVerify(jws, await importJWK(sender, 'ES256'));
    const signed = JSON.parse(new TextDecoder().decode(payload)) as { iss: string; jti: string; key: string; params: Record<string, unknown> };
    const same = signed.iss === sender.agency && signed.jti === expected.id && signed.key === expected.key && JSON.stringify(signed.params) === JSON.stringify(expected.params);
    return same ? { agency: sender.agency } : null;
  } catch {
    return null;
  }
}
