/**
 * A message of the inbox as a paper letter (PDF, A4, for a window envelope):
 * the board as sender, the person's name and registered address, the date,
 * the reference number, the message in the person's language, why it comes
 * by post, and the fingerprint of the board's signature (the portal shows the
 * signed original). Words from the shared catalogue (platform/messages).
 */
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { formatDate } from '../../../platform/messages/formats.ts';
import { inboxText, messagesIn } from '../../../platform/messages/render.ts';
import { usePdfFont } from '../../../platform/pdf-font.ts';
import type { LetterReason } from './decide.ts';
import type { OutgoingMessage } from './store.ts';

export interface LetterRecipient {
  name: string;
  street: string | null;
  postalCode: string | null;
  municipality: string | null;
  language: string | null;
}

export interface Letter extends OutgoingMessage {
  receivedOn: string;
  reason: LetterReason;
  recipient: LetterRecipient;
  /** The day on the letter (platform/clock.ts). */
  today: string;
}

/** A short, readable fingerprint of the signature: the first 16 hex digits of its SHA-256, in groups of four. */
export function signatureFingerprint(jws: string): string {
  return (createHash('sha256').update(jws).digest('hex').slice(0, 16).match(/.{4}/g) ?? []).join(' ').toUpperCase();
}

export function renderLetter(letter: Letter): Promise<{ pdf: Buffer; pages: number }> {
  const { t, lng } = messagesIn(letter.recipient.language);
  const agency = t(`agency.${letter.sender}`, { defaultValue: letter.sender });
  const text = inboxText({ key: letter.key, params: letter.params, reference: letter.reference }, lng);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 70, right: 56 },
    bufferPages: true,
    info: { Title: text.subject, Author: agency, Subject: t('letter.title', { agency }) },
    lang: lng,
  } as PDFKit.PDFDocumentOptions);
  usePdfFont(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(12).text(agency);
  // The address block sits where a C5/DL window envelope shows it (about 45 mm from the top, 20 mm from the left).
  const r = letter.recipient;
  doc.fontSize(11).text([r.name, r.street, [r.postalCode, r.municipality].filter(Boolean).join(' ')].filter(Boolean).join('\n'), 70, 128, { width: 240 });
  doc.fontSize(10).text(t('letter.date', { date: formatDate(letter.today, lng) }), 340, 128, { width: 200, align: 'right' });
  if (letter.reference) doc.text(t('letter.reference', { reference: letter.reference }), { width: 200, align: 'right' });
  doc.text(t('letter.messageNumber', { id: letter.messageId }), { width: 200, align: 'right' });

  doc.x = 70;
  doc.y = 250;
  doc.fontSize(15).text(text.subject, { width: 470 });
  doc.moveDown(0.8).fontSize(11).text(text.body, { width: 470, lineGap: 2 });
  doc.moveDown(1.5).fontSize(9).fillColor('#333333');
  doc.text(t(`letter.why_${letter.reason}`, { date: formatDate(letter.receivedOn, lng) }), { width: 470 });
  doc.moveDown(0.5).text(letter.signature ? t('letter.signed', { agency, fingerprint: signatureFingerprint(letter.signature) }) : t('letter.unsigned'), { width: 470 });
  doc.moveDown(0.5).text(t('letter.contact', { agency }), { width: 470 });
  const pages = doc.bufferedPageRange().count;
  doc.end();
  return done.then((pdf) => ({ pdf, pages }));
}
