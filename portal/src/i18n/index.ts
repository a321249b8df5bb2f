/**
 * The portal's languages: Estonian (the default), English and Russian, with
 * react-i18next. Two namespaces: `ui` (the pages' own texts) and `messages`
 * (what the services say to people: offer facts, letters, refusals, agency and
 * data names), shared with the services that render letters and e-mails
 * (platform/messages). Dates and amounts through Intl in the reader's locale:
 * "1. detsember 2026", "26 400,00 €".
 */
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import enMessages from '../../../platform/messages/en.json';
import etMessages from '../../../platform/messages/et.json';
import ruMessages from '../../../platform/messages/ru.json';
import { LANGUAGES, addFormatters, isLanguage, type Language } from '../../../platform/messages/formats.ts';
import en from './en.json';
import et from './et.json';
import ru from './ru.json';

export { LANGUAGES, isLanguage, type Language };

const CHOSEN = 'citizen-graph.language';

/** The reader's own choice on this device, if they made one. */
export function chosenLanguage(): Language | undefined {
  try {
    const value = localStorage.getItem(CHOSEN);
    return value && isLanguage(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const fromUrl = () => {
  const value = new URLSearchParams(location.search).get('lang');
  return value && isLanguage(value) ? value : undefined;
};

void i18next.use(initReactI18next).init({
  resources: { et: { ui: et, messages: etMessages }, en: { ui: en, messages: enMessages }, ru: { ui: ru, messages: ruMessages } },
  lng: fromUrl() ?? chosenLanguage() ?? 'et',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  ns: ['ui', 'messages'],
  defaultNS: 'ui',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
addFormatters(i18next);

const follow = (lng: string) => {
  document.documentElement.lang = lng;
};
follow(i18next.language);
i18next.on('languageChanged', follow);

/** The reader switched language: remembered on this device. */
export function chooseLanguage(lng: Language): void {
  try {
    localStorage.setItem(CHOSEN, lng);
  } catch {
    /* private mode: the choice lasts for this page */
  }
  void i18next.changeLanguage(lng);
}

/** After sign-in: the register's preferred language, unless the reader chose one here. */
export function adoptPreferredLanguage(preferred: string | null | undefined): void {
  if (fromUrl() || chosenLanguage()) return;
  const lng = preferred?.toLowerCase().slice(0, 2);
  if (lng && isLanguage(lng) && lng !== i18next.language) void i18next.changeLanguage(lng);
}

export const currentLanguage = (): Language => (isLanguage(i18next.language) ? i18next.language : 'et');

export { i18next, useTranslation };
