/**
 * Signs the board's new inbox messages (JWS, platform/message-signing.ts)
 * right after they are written: one statement finds those of the given people
 * without a signature, one writes the signatures. A message left unsigned (no
 * key configured, a failure) shows in the portal as not verified, never as verified.
 */
import type { Database } from '../../platform/database.ts';
import type { MessageSigner } from '../../platform/message-signing.ts';

interface Unsigned {
  id: number;
  person_id: string;
  sender: string;
  message_key: string;
  params: Record<string, unknown>;
  reference: string | null;
  created_at: Date;
}

export async function signPendingMessages(db: Database, signer: MessageSigner | undefined, people: readonly string[]): Promise<number> {
  if (!signer || people.length === 0) return 0;
  const rows = await db.query<Unsigned>(
    `SELECT id, person_id, sender, message_key, params, reference, created_at FROM inbox_message
      WHERE signature IS NULL AND person_id = ANY($1) ORDER BY id LIMIT 10000`,
    [people],
  );
  if (rows.length === 0) return 0;
  const signatures = await Promise.all(
    rows.map((m) =>
      signer.sign({ iss: m.sender, sub: m.person_id, jti: String(m.id), iat: Math.floor(m.created_at.getTime() / 1000), key: m.message_key, params: m.params, reference: m.reference }),
    ),
  );
  await db.query(
    `UPDATE inbox_message m SET signature = s.signature FROM unnest($1::bigint[], $2::text[]) AS s(id, signature)
      WHERE m.id = s.id AND m.signature IS NULL`,
    [rows.map((m) => m.id), signatures],
  );
  return rows.length;
}
