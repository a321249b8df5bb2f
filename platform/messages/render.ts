/**
 * The message catalogue on the server: the same texts and formats the portal
 * shows (platform/messages/*.json, formats.ts), for what a service writes
 * itself (the data export's PDF, letters, e-mails). One i18next instance per
 * process, all three languages loaded.
 */
import { readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';
import { addFormatters, isLanguage, type Language } from './formats.ts';

const load = (lng: Language) => JSON.parse(readFileSync(new URL(`./${lng}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

const instance = i18next.createInstance();
void instance.init({
  resources: { et: { messages: load('et') }, en: { messages: load('en') }, ru: { messages: load('ru') } },
  lng: 'et',
  fallbackLng: 'et',
  ns: ['messages'],
  defaultNS: 'messages',
  interpolation: { escapeValue: false },
  initAsync: false,
});
addFormatters(instance);

/** The catalogue's words in one language (Estonian for anything else). */
export function messagesIn(lng: string | null | undefined): { t: TFunction; lng: Language } {
  const language: Language = lng && isLanguage(lng) ? lng : 'et';
  return { t: instance.getFixedT(language), lng: language };
}

/**
 * An inbox message's subject and body in one language, as the portal words it
 * (portal/src/shared/speak.tsx): the programme and sender by name, the amount's
 * kind as the receipt's context. For letters and e-mails.
 */
export function inboxText(message: { key: string; params: Record<string, unknown>; reference: string | null }, lng: string | null | undefined): { subject: string; body: string } {
  const { t } = messagesIn(lng);
  const params: Record<string, unknown> = { ...message.params, reference: message.reference ?? '' };
  if (typeof params.programme === 'string') params.programmeName = t(`programme.${params.programme}.name`, { defaultValue: params.programme });
  if (typeof params.sender === 'string') params.sender = t(`agency.${params.sender}`, { defaultValue: params.sender });
  const context = message.key === 'inbox.receipt.accepted' && typeof params.kind === 'string' && params.amount !== null ? params.kind : undefined;
  const word = (part: 'subject' | 'body') => {
    const options = { ...params, context };
    return instance.exists(`${message.key}.${part}`, { ...options, lng: messagesIn(lng).lng }) ? t(`${message.key}.${part}`, options) : t(`inbox.unknown.${part}`, options);
  };
  return { subject: word('subject'), body: word('body') };
}
