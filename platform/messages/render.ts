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
