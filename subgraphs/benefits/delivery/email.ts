/**
 * A message of the inbox as an e-mail, through a real SMTP client (nodemailer):
 * the message in the person's language (a receipt's reference number is in it), and a pointer
 * to the signed original in the portal. The JWS travels as a header, so a mail
 * client or a later check can tie the e-mail to the board's signature.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { inboxText, messagesIn } from '../../../platform/messages/render.ts';
import type { OutgoingMessage } from './store.ts';

export interface EmailMessage extends OutgoingMessage {
  to: { address: string; name: string; language: string | null };
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

/** `smtpUrl`: smtp://host:port (or smtps://, with user:password@ when the relay needs it). `from`: the board's sending address. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(m) {
      const { t, lng } = messagesIn(m.to.language);
      const agency = t(`agency.${m.sender}`, { defaultValue: m.sender });
      const text = inboxText({ key: m.key, params: m.params, reference: m.reference }, lng);
      const lines = [
        m.to.name ? t('email.intro', { name: m.to.name }) : t('email.introNoName'),
        '',
        text.body,
        '',
        '—',
        t('email.footer', { agency }),
      ];
      await transport.sendMail({
        from: { name: agency, address: from },
        to: { name: m.to.name, address: m.to.address },
        subject: t('email.subject', { subject: text.subject, agency }),
        text: lines.join('\n'),
        headers: {
          'Content-Language': lng,
          'X-Citizen-Graph-Message': String(m.messageId),
          ...(m.signature ? { 'X-Citizen-Graph-Signature': m.signature } : {}),
        },
      });
    },
    close: () => transport.close(),
  };
}
