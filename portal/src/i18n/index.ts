/**
 * The portal's languages: Estonian (the default), English and Russian, with
 * react-i18next. Two namespaces: `ui` (the pages' own texts) and `messages`
 * (what the services say to people: offer facts, letters, refusals, agency and
 * data names), shared with the services that render letters and e-mails
 * (platform/messages). Dates and amounts through Intl in the reader's locale:
 * "1. detsember 2026", "26 400,00 €".
 */
import i18next from 'i18next';
import resourcesToBackend from 'i18next-resources-to-backend';
import { initReactI18next, useTranslation } from 'react-i18next';
import etMessages from '../../../platform/messages/et.json';
import { LANGUAGES, addFormatters, isLanguage, type Language } from '../../../platform/messages/formats.ts';
import et from './et.json';

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

// Estonian comes with the page; English and Russian are fetched when chosen (the page on a slow line stays small).
const OTHER_LANGUAGES: Record<string, Record<string, () => Promise<{ default: unknown }>>> = {
  en: { ui: () => import('./en.json'), messages: () => import('../../../platform/messages/en.json') },
  ru: { ui: () => import('./ru.json'), messages: () => import('../../../platform/messages/ru.json') },
};

void i18next
  .use(initReactI18next)
  .use(resourcesToBackend((lng: string, ns: string) => OTHER_LANGUAGES[lng]?.[ns]?.().then((m) => m.default) ?? Promise.resolve({})))
  .init({
  resources: { et: { ui: et, messages: etMessages } },
  partialBundledLanguages: true,
  lng: fromUrl() ?? chosenLanguage() ?? 'et',
  // Estonian is complete and comes with the page: falling back to it costs no download.
  fallbackLng: 'et',
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
