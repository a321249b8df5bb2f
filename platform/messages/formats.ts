/**
 * The languages citizens read and how numbers and dates look in each, for
 * the portal (react-i18next) and the services that write letters and e-mails
 * (i18next in Node): one set of formatters, so a letter and the page say the
 * same amount the same way.
 */
import type { i18n } from 'i18next';

export const LANGUAGES = ['et', 'en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);

/** Intl locales: English as in the UK (GOV.UK's "1 December 2026", "€26,400.00"). */
export const LOCALE: Record<Language, string> = { et: 'et-EE', en: 'en-GB', ru: 'ru-RU' };
const locale = (lng: string | undefined) => (lng && isLanguage(lng) ? LOCALE[lng] : LOCALE.et);

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** A calendar day (YYYY-MM-DD, or a timestamp) as "1. detsember 2026" / "1 December 2026" / "1 декабря 2026". */
export function formatDate(value: string | Date, lng: string | undefined): string {
  const tag = locale(lng);
  let format = dateFormats.get(tag);
  if (!format) dateFormats.set(tag, (format = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Tallinn' })));
  // A bare day is that day in Tallinn: noon UTC is the same calendar day there.
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  // Russian long dates end in "г." ("3 декабря 2026 г."), and a sentence ending in a date then ends in "г..": the year needs no word.
  return format.format(date).replace(/\s?г\.$/, '');
}

/** A time of day with its date, in Tallinn. */
export function formatDateTime(value: string | Date, lng: string | undefined): string {
  return new Intl.DateTimeFormat(locale(lng), { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Tallinn' }).format(new Date(value));
}

/** Euros with cents: "26 400,00 €" / "€26,400.00". */
export function formatMoney(value: number, lng: string | undefined): string {
  const tag = locale(lng);
  let format = moneyFormats.get(tag);
  if (!format) moneyFormats.set(tag, (format = new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' })));
  return format.format(value);
}

/** "Sofia, Karl ja Mari" / "Sofia, Karl and Mari". */
export function formatList(items: readonly string[], lng: string | undefined): string {
  return new Intl.ListFormat(locale(lng), { style: 'long', type: 'conjunction' }).format(items);
}

/** Registers `{{x, date}}`, `{{x, datetime}}`, `{{x, money}}` and `{{x, list}}` with an i18next instance. */
export function addFormatters(instance: i18n): void {
  const formatter = instance.services.formatter;
  if (!formatter) return;
  formatter.add('date', (value: string, lng) => formatDate(value, lng));
  formatter.add('datetime', (value: string, lng) => formatDateTime(value, lng));
  formatter.add('money', (value: number, lng) => formatMoney(Number(value), lng));
  formatter.add('list', (value: string[], lng) => formatList(Array.isArray(value) ? value : [String(value)], lng));
}
