/**
 * The benefits board's delivery job: messages of the secure inbox also go out
 * on paper and by e-mail (issue 17, "messages that reach everyone").
 *
 * Every run (one at a time across replicas: a transaction-scoped advisory
 * lock) takes the signed messages that a channel may want (store.ts), looks
 * up each person's name, address, e-mail and language through the gateway
 * (recipients.ts), and carries out what deliveriesDue (decide.ts) says:
 * - a letter: a PDF (letter.ts) written atomically into the print folder the
 *   print provider collects (PRINT_QUEUE_DIR/<day>/letter-<id>.pdf), a row in
 *   print_queue, and the message marked "sent by post" that day;
 * - an e-mail through SMTP (email.ts), the message marked "sent by e-mail".
 * A failure leaves the message for the next run; nothing is sent twice.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIME_ZONE, today as clockToday } from '../../../platform/clock.ts';
import { openDatabase, type Database } from '../../../platform/database.ts';
import { logger } from '../../../platform/logger.ts';
import { gatewayClient, type TokenSource } from '../../../offers/gateway-client.ts';
import { daysBetween, deliveriesDue, UNREAD_DAYS, type LetterReason } from './decide.ts';
import { smtpMailer, type Mailer } from './email.ts';
import { renderLetter } from './letter.ts';
import { DELIVERY_PURPOSE, lookUpRecipient, type Recipient } from './recipients.ts';
import { deliveryStore, outgoingMessage, type CandidateRow } from './store.ts';

const log = logger.child({ service: 'benefits-delivery' });
const LOCK_KEY = 1_717_001; // the delivery job's advisory lock in the benefits database
const BATCH = 500;

export interface DeliveryOptions {
  /** The benefits board's database. */
  databaseUrl: string;
  gatewayUrl: string;
  token: TokenSource;
  /** The folder the print provider collects letters from. */
  printDir: string;
  /** SMTP relay for e-mail (smtp://host:port); e-mail waits (is not sent, not marked) without one. */
  smtpUrl?: string;
  /** The board's sending address. */
  mailFrom?: string;
  /** Between runs; no timer when 0 (tests call runOnce). */
  intervalMs?: number;
  /** Today (YYYY-MM-DD): platform/clock.ts unless a test moves it. */
  today?: () => string;
}

export interface DeliveryRun {
  letters: number;
  emails: number;
  failed: number;
}

export interface RunningDelivery {
  printDir: string;
  emailOn: boolean;
  runOnce(): Promise<DeliveryRun>;
  stop(): Promise<void>;
}

/** The day `days` before `day` (YYYY-MM-DD). */
function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export function startMessageDelivery(options: DeliveryOptions): RunningDelivery {
  const db: Database = openDatabase('benefits-delivery', options.databaseUrl, 3);
  const store = deliveryStore(db);
  const gateway = gatewayClient(options.gatewayUrl, DELIVERY_PURPOSE, options.token);
  const mailer: Mailer | undefined = options.smtpUrl ? smtpMailer(options.smtpUrl, options.mailFrom ?? 'no-reply@sotsiaalkindlustusamet.example') : undefined;
  let mailOffNoted = false;

  const postLetter = async (m: CandidateRow, to: Recipient, reason: LetterReason, day: string): Promise<void> => {
    const { pdf, pages } = await renderLetter({
      ...outgoingMessage(m),
      receivedOn: clockToday(m.created_at),
      reason,
      recipient: { name: to.name, street: to.address?.street ?? null, postalCode: to.address?.postalCode ?? null, municipality: to.address?.municipality ?? null, language: to.language },
      today: day,
    });
    const fileName = join(day, `letter-${m.id}.pdf`);
    mkdirSync(join(options.printDir, day), { recursive: true });
    // Written beside and renamed: the provider never collects half a letter.
    const partial = join(options.printDir, `${fileName}.partial`);
    writeFileSync(partial, pdf);
    renameSync(partial, join(options.printDir, fileName));
    await store.queueLetter({ messageId: m.id, personId: m.person_id, reason, fileName, sha256: createHash('sha256').update(pdf).digest('hex'), pages, day });
  };

  const sendEmail = async (m: CandidateRow, to: Recipient, day: string): Promise<boolean> => {
    if (!mailer) {
      if (!mailOffNoted) log.warn('e-mail is off (no DELIVERY_SMTP_URL): e-mails wait until it is set');
      mailOffNoted = true;
      return false;
    }
    await mailer.send({ ...outgoingMessage(m), to: { address: to.email!, name: to.name, language: to.language } });
    await store.markEmailed(m.id, day);
    return true;
  };

  const run = async (): Promise<DeliveryRun> => {
    const day = options.today?.() ?? clockToday();
    const result: DeliveryRun = { letters: 0, emails: 0, failed: 0 };
    const candidates = await store.candidates(daysBefore(day, UNREAD_DAYS - 1), TIME_ZONE, BATCH);
    const byPerson = new Map<string, CandidateRow[]>();
    for (const m of candidates) byPerson.set(m.person_id, [...(byPerson.get(m.person_id) ?? []), m]);
    for (const [personId, messages] of byPerson) {
      let to: Recipient | null;
      try {
        to = await lookUpRecipient(gateway, personId, `inbox-message:${messages[0]!.id}`);
      } catch (error) {
        result.failed += messages.length;
        log.warn({ err: (error as Error).message, messages: messages.map((m) => m.id) }, 'recipient lookup failed; retried next run');
        continue;
      }
      if (!to) continue;
      for (const m of messages) {
        const receivedOn = clockToday(m.created_at);
        const due = deliveriesDue(
          { receivedOn, read: m.read, signed: m.signature !== null, postedOn: m.posted_on, emailedOn: m.emailed_on, afterChoice: m.after_choice },
          m.channel,
          { address: to.address !== null, email: to.email !== null },
          day,
        );
        for (const delivery of due) {
          try {
            if (delivery.channel === 'post') {
              await postLetter(m, to, delivery.reason, day);
              result.letters += 1;
            } else if (await sendEmail(m, to, day)) {
              result.emails += 1;
            }
          } catch (error) {
            result.failed += 1;
            log.warn({ err: (error as Error).message, message: m.id, channel: delivery.channel, daysOld: daysBetween(receivedOn, day) }, 'delivery failed; retried next run');
          }
        }
      }
    }
    return result;
  };

  let running: Promise<DeliveryRun> | undefined;
  const runOnce = (): Promise<DeliveryRun> => {
    // One run at a time in this process; across processes, the advisory lock.
    running ??= db
      .transaction(async (client) => {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [LOCK_KEY]);
        return rows[0]?.locked ? run() : { letters: 0, emails: 0, failed: 0 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = options.intervalMs
    ? setInterval(() => {
        runOnce().catch((error: unknown) => log.warn({ err: (error as Error).message }, 'delivery run failed'));
      }, options.intervalMs)
    : undefined;
  timer?.unref();

  return {
    printDir: options.printDir,
    emailOn: mailer !== undefined,
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
      mailer?.close();
      await db.close();
    },
  };
}
