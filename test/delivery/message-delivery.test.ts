/**
 * Messages that reach everyone, through the real system: the benefits board's
 * delivery job posts letters (PDF in the print folder, a row in the print
 * queue, "sent by post" in the inbox) for a citizen who chose letters and for
 * a message left unread for 14 days, and sends e-mail over SMTP to a real
 * local SMTP server for a citizen who chose e-mail. The recipient's address is
 * read through the gateway under its own purpose, and shows in their tracker.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { today } from '../../platform/clock.ts';
import { inboxText } from '../../platform/messages/render.ts';
import { personaByRole } from '../../seed/personas.ts';
import { signatureFingerprint } from '../../subgraphs/benefits/delivery/letter.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

const letters = personaByRole('single-parent').id;
const email = personaByRole('near-retirement').id;
const portalOnly = personaByRole('newborn-mother').id;

let scratch: ScratchDatabases;
let system: TestSystem;
let sink: SmtpSink;
let printDir: string;
let benefitsDb: pg.Client;
let identityDb: pg.Client;
let day = today();

const as = (sub: string) => ({ as: { sub, client: 'citizen-portal' }, purpose: 'self-service' });
interface Inbox { id: string; message: { key: string; params: Record<string, unknown> }; reference: string | null; read: boolean; signature: string | null; sentByPostOn: string | null; emailedOn: string | null }
const inbox = async (sub: string) =>
  (await system.query<{ me: { inbox: Inbox[] } }>({ query: '{ me { inbox { id message { key params } reference read signature sentByPostOn emailedOn } } }', ...as(sub) })).data!.me.inbox;
const mutate = async (sub: string, query: string) => {
  const response = await system.query({ query, ...as(sub) });
  expect(response.errors).toBeUndefined();
};
const optOutAndIn = async (sub: string) => {
  await mutate(sub, 'mutation { setProactivePreference(optOut: true) { optOut } }');
  await mutate(sub, 'mutation { setProactivePreference(optOut: false) { optOut } }');
};

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
  }
  await pdf.destroy();
  // Lines wrap where the page ends them: compare words, not line breaks.
  return pages.join('\n').replace(/\s+/g, ' ');
}

beforeAll(async () => {
  scratch = await startScratchDatabases({ citizens: 120, seed: 11 });
  sink = await startSmtpSink();
  printDir = mkdtempSync(join(tmpdir(), 'citizen-graph-print-'));
  system = await startTestSystem({ databases: scratch.urls, delivery: { printDir, smtpUrl: sink.url, mailFrom: 'teated@ska.example', today: () => day } });
  benefitsDb = new pg.Client(scratch.urls.benefits);
  identityDb = new pg.Client(scratch.urls.identity);
  await Promise.all([benefitsDb.connect(), identityDb.connect()]);
}, 180_000);
afterAll(async () => {
  await Promise.all([benefitsDb?.end(), identityDb?.end()]);
  await system?.close();
  await sink?.close();
  await scratch?.stop();
  if (printDir) rmSync(printDir, { recursive: true, force: true });
});

describe('letters', () => {
  it('a citizen who chose letters gets each new message as a PDF letter in the print queue, recorded in the inbox as sent by post', async () => {
    await mutate(letters, 'mutation { setNotificationPreference(channel: POST) { channel } }');
    await optOutAndIn(letters);
    const run = await system.delivery!.runOnce();
    expect(run).toMatchObject({ letters: 2, emails: 0, failed: 0 });

    const messages = (await inbox(letters)).filter((m) => m.message.key.startsWith('inbox.receipt.opted'));
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(m.sentByPostOn).toBe(day);

    const { rows } = await benefitsDb.query<{ message_id: string; file_name: string; sha256: string; pages: number; reason: string; collected_at: Date | null }>(
      'SELECT message_id::text, file_name, sha256, pages, reason, collected_at FROM print_queue WHERE person_id = $1 ORDER BY message_id',
      [letters],
    );
    expect(rows.map((r) => r.message_id).sort()).toEqual(messages.map((m) => m.id).sort());
    const optedOut = messages.find((m) => m.message.key === 'inbox.receipt.optedOut')!;
    const row = rows.find((r) => r.message_id === optedOut.id)!;
    expect(row).toMatchObject({ reason: 'preference', pages: 1, collected_at: null });
    expect(row.file_name).toBe(join(day, `letter-${optedOut.id}.pdf`));

    const bytes = readFileSync(join(printDir, row.file_name));
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    expect(existsSync(join(printDir, `${row.file_name}.partial`))).toBe(false);

    // The letter, as the print provider prints it: name and registered address, the board, the message in
    // the person's language (Estonian), the reference number, why it came by post, the signature's fingerprint.
    const { rows: [person] } = await identityDb.query<{ given_name: string; family_name: string; street_address: string; postal_code: string; municipality: string; preferred_language: string }>(
      'SELECT given_name, family_name, street_address, postal_code, municipality, preferred_language FROM citizen WHERE id = $1',
      [letters],
    );
    expect(person!.preferred_language).toBe('et');
    const text = await pdfText(new Uint8Array(bytes));
    const expected = inboxText({ key: optedOut.message.key, params: optedOut.message.params, reference: optedOut.reference }, 'et');
    expect(text).toContain(`${person!.given_name} ${person!.family_name}`);
    expect(text).toContain(person!.street_address);
    expect(text).toContain(`${person!.postal_code} ${person!.municipality}`);
    expect(text).toContain('Sotsiaalkindlustusamet');
    expect(text).toContain(expected.subject);
    expect(text).toContain(expected.body);
    expect(text).toContain(`Registreerimisnumber: ${optedOut.reference}`);
    expect(text).toContain('Te soovisite saada meie sõnumeid paberkirjana');
    expect(text).toContain(signatureFingerprint(optedOut.signature!));
    expect(text).not.toMatch(/inbox\.|receipt\.|programme\.|\{\{/);

    // Nothing is posted twice.
    expect(await system.delivery!.runOnce()).toMatchObject({ letters: 0, emails: 0 });
  });

  it('reading the recipient\'s address goes through the gateway under its own purpose, and shows in their data tracker', async () => {
    const { data } = await system.query<{ me: { dataAccessLog: { entries: { clientId: string; purpose: string; byYou: boolean }[] } } }>({
      query: '{ me { dataAccessLog(first: 50) { entries { clientId purpose byYou } } } }',
      ...as(letters),
    });
    expect(data!.me.dataAccessLog.entries).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: 'message-delivery', purpose: 'message-delivery', byYou: false })]));
  });

  it('a message unread in the portal for 14 days goes out by post, whatever the choice; a read one does not', async () => {
    await optOutAndIn(portalOnly);
    const [read] = (await inbox(portalOnly)).filter((m) => m.message.key === 'inbox.receipt.optedIn');
    await mutate(portalOnly, `mutation { markInboxMessageRead(id: "${read!.id}") { read } }`);
    expect(await system.delivery!.runOnce()).toMatchObject({ letters: 0 });

    const start = day;
    try {
      day = new Date(Date.parse(`${start}T00:00:00Z`) + 13 * 86_400_000).toISOString().slice(0, 10);
      expect(await system.delivery!.runOnce()).toMatchObject({ letters: 0 });
      day = new Date(Date.parse(`${start}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
      expect((await system.delivery!.runOnce()).letters).toBeGreaterThanOrEqual(1);
    } finally {
      day = start;
    }
    const after = await inbox(portalOnly);
    const unread = after.find((m) => m.message.key === 'inbox.receipt.optedOut')!;
    expect(unread.sentByPostOn).not.toBeNull();
    expect(after.find((m) => m.id === read!.id)!.sentByPostOn).toBeNull();
    const { rows: [queued] } = await benefitsDb.query<{ reason: string; file_name: string }>('SELECT reason, file_name FROM print_queue WHERE message_id = $1', [unread.id]);
    expect(queued!.reason).toBe('unread');
    const text = await pdfText(new Uint8Array(readFileSync(join(printDir, queued!.file_name))));
    expect(text).toContain('Seda ei ole seal avatud, seepärast saadame selle Teile ka posti teel');
  });
});

describe('e-mail', () => {
  it('a citizen who chose e-mail gets each new message over SMTP at the address in the register, in their language, with the board\'s signature', async () => {
    const { rows: [person] } = await identityDb.query<{ email: string | null; given_name: string; family_name: string }>('SELECT email, given_name, family_name FROM citizen WHERE id = $1', [email]);
    expect(person!.email).toMatch(/@/);
    await mutate(email, 'mutation { setNotificationPreference(channel: EMAIL) { channel } }');
    await optOutAndIn(email);
    const before = sink.received.length;
    expect(await system.delivery!.runOnce()).toMatchObject({ emails: 2, letters: 0, failed: 0 });
    const mails = sink.received.slice(before);
    expect(mails).toHaveLength(2);

    const messages = (await inbox(email)).filter((m) => m.message.key.startsWith('inbox.receipt.opted'));
    for (const m of messages) expect(m.emailedOn).toBe(day);
    const optedIn = messages.find((m) => m.message.key === 'inbox.receipt.optedIn')!;
    const mail = mails.find((x) => x.headers.get('x-citizen-graph-message') === optedIn.id)!;
    const expected = inboxText({ key: optedIn.message.key, params: optedIn.message.params, reference: optedIn.reference }, 'et');
    expect(mail.envelopeTo).toEqual([person!.email]);
    expect(mail.from?.value[0]).toMatchObject({ address: 'teated@ska.example', name: 'Sotsiaalkindlustusamet' });
    expect(mail.subject).toBe(`${expected.subject} (Sotsiaalkindlustusamet)`);
    expect(mail.text).toContain(`Tere, ${person!.given_name} ${person!.family_name}!`);
    expect(mail.text).toContain(expected.body);
    expect(mail.text).toContain(`Registreerimisnumber: ${optedIn.reference}`);
    expect(mail.headers.get('x-citizen-graph-signature')).toBe(optedIn.signature);
    expect(mail.headers.get('content-language')).toBe('et');

    expect(await system.delivery!.runOnce()).toMatchObject({ emails: 0 });
    expect(sink.received.length).toBe(before + 2);
  });

  it('a citizen who chose e-mail but has no address in the register gets a letter instead', async () => {
    await identityDb.query('UPDATE citizen SET email = NULL WHERE id = $1', [email]);
    await mutate(email, 'mutation { setProactivePreference(optOut: true) { optOut } }');
    const run = await system.delivery!.runOnce();
    expect(run).toMatchObject({ emails: 0, letters: 1 });
    const { rows } = await benefitsDb.query<{ reason: string }>('SELECT reason FROM print_queue WHERE person_id = $1', [email]);
    expect(rows.map((r) => r.reason)).toEqual(['no-email']);
  });
});
