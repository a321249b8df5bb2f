/**
 * Which channels a message of the inbox still has to go out by: a pure
 * function of the message, the person's choice and today, so the rule is
 * tested here and the delivery job only carries it out.
 *
 * - E-mail: the person chose e-mail, the message was written after that
 *   choice, and the register has an address. Without an address, a letter.
 * - Letter: the person chose letters (for messages written after the choice),
 *   or the message has been unread in the portal for UNREAD_DAYS days or more,
 *   whatever the choice: the state must reach people who do not use the portal.
 * - Never twice by the same channel; never before the board has signed it
 *   (a letter carries the signature's fingerprint).
 */
export const UNREAD_DAYS = 14;

export type NotificationChannel = 'portal' | 'email' | 'post';
export type LetterReason = 'preference' | 'no-email' | 'unread';
export type Delivery = { channel: 'post'; reason: LetterReason } | { channel: 'email' };

export interface MessageState {
  /** The day the message reached the inbox (YYYY-MM-DD, the registers' time zone). */
  receivedOn: string;
  read: boolean;
  signed: boolean;
  postedOn: string | null;
  emailedOn: string | null;
  /** Whether it was written after the person chose their current channel. */
  afterChoice: boolean;
}

export interface Reach {
  /** A postal address in the population register. */
  address: boolean;
  /** An e-mail address given to the state. */
  email: boolean;
}

/** Whole days from one YYYY-MM-DD to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function deliveriesDue(message: MessageState, channel: NotificationChannel, reach: Reach, today: string): Delivery[] {
  if (!message.signed) return [];
  const due: Delivery[] = [];
  const chosen = message.afterChoice ? channel : 'portal';
  if (chosen === 'email' && reach.email && message.emailedOn === null) due.push({ channel: 'email' });
  if (message.postedOn === null && reach.address) {
    const reason: LetterReason | undefined =
      chosen === 'post'
        ? 'preference'
        : chosen === 'email' && !reach.email && message.emailedOn === null
          ? 'no-email'
          : !message.read && daysBetween(message.receivedOn, today) >= UNREAD_DAYS
            ? 'unread'
            : undefined;
    if (reason) due.push({ channel: 'post', reason });
  }
  return due;
}
