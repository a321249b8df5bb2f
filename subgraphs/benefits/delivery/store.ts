/**
 * The delivery job's SQL over the board's own tables: the messages that may
 * still have to go out (a broad filter; deliveriesDue decides), and what went
 * out, recorded on the message (the inbox says "sent by post on ...") and, for
 * letters, in the print queue, in one statement each.
 */
import type { Database } from '../../../platform/database.ts';
import type { LetterReason, NotificationChannel } from './decide.ts';

/** A message as it goes out by post or e-mail: its words (key and parameters), reference and signature. */
export interface OutgoingMessage {
  messageId: number;
  sender: string;
  key: string;
  params: Record<string, unknown>;
  reference: string | null;
  signature: string | null;
}

export function outgoingMessage(row: CandidateRow): OutgoingMessage {
  return { messageId: row.id, sender: row.sender, key: row.message_key, params: row.params, reference: row.reference, signature: row.signature };
}

export interface CandidateRow {
  id: number;
  person_id: string;
  sender: string;
  message_key: string;
  params: Record<string, unknown>;
  reference: string | null;
  signature: string | null;
  created_at: Date;
  read: boolean;
  posted_on: string | null;
  emailed_on: string | null;
  channel: NotificationChannel;
  after_choice: boolean;
}

/**
 * Signed messages not yet posted or e-mailed that a channel may want: those
 * written after the person chose letters or e-mail, and those unread since
 * before `unreadBefore` (a day, in `timeZone`).
 */
const CANDIDATES = `
  SELECT m.id, m.person_id, m.sender, m.message_key, m.params, m.reference, m.signature, m.created_at,
         m.read_at IS NOT NULL AS read, to_char(m.posted_on, 'YYYY-MM-DD') AS posted_on, to_char(m.emailed_on, 'YYYY-MM-DD') AS emailed_on,
         coalesce(b.notification_channel, 'portal') AS channel,
         m.created_at >= coalesce(b.notification_channel_since, '-infinity') AS after_choice
    FROM inbox_message m LEFT JOIN beneficiary b ON b.person_id = m.person_id
   WHERE m.signature IS NOT NULL
     AND ((m.posted_on IS NULL AND (m.read_at IS NULL AND m.created_at < ($1::date)::timestamp AT TIME ZONE $2
                                    OR b.notification_channel IN ('post', 'email') AND m.created_at >= b.notification_channel_since))
       OR (m.emailed_on IS NULL AND b.notification_channel = 'email' AND m.created_at >= b.notification_channel_since))
   ORDER BY m.person_id, m.id
   LIMIT $3`;

export function deliveryStore(db: Database) {
  return {
    candidates(unreadBefore: string, timeZone: string, limit: number): Promise<CandidateRow[]> {
      return db.query<CandidateRow>(CANDIDATES, [unreadBefore, timeZone, limit]);
    },

    /** The letter is in the print folder: queue it and mark the message posted, once. */
    async queueLetter(letter: { messageId: number; personId: string; reason: LetterReason; fileName: string; sha256: string; pages: number; day: string }): Promise<boolean> {
      const rows = await db.query<{ id: number }>(
        `WITH queued AS (
           INSERT INTO print_queue (message_id, person_id, reason, file_name, sha256, pages)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING RETURNING message_id
         )
         UPDATE inbox_message SET posted_on = $7::date WHERE id = (SELECT message_id FROM queued) RETURNING id`,
        [letter.messageId, letter.personId, letter.reason, letter.fileName, letter.sha256, letter.pages, letter.day],
      );
      return rows.length > 0;
    },

    async markEmailed(messageId: number, day: string): Promise<void> {
      await db.query('UPDATE inbox_message SET emailed_on = $2::date WHERE id = $1 AND emailed_on IS NULL', [messageId, day]);
    },
  };
}
