/**
 * The provider's login page: the persona picker, with the assurance level
 * chosen there (preselected from the client's `acr_values`), in the reader's
 * language (`ui_locales`: et, en, ru; Estonian by default). Plain HTML and a
 * form: no script, so it works the same in every browser and in tests.
 */
import type { Persona } from '../seed/personas.ts';
import { ASSURANCE_LEVELS, type AssuranceLevel } from './accounts.ts';

export const LOGIN_LANGUAGES = ['et', 'en', 'ru'] as const;
type Language = (typeof LOGIN_LANGUAGES)[number];

const TEXT: Record<Language, Record<string, string>> = {
  et: {
    title: 'Sisselogimine', intro: 'Arenduskeskkonna isikutuvastus: vali, kellena sisse logid.', level: 'Tagatistase', low: 'madal (parool)', substantial: 'märkimisväärne (mobiilirakendus ja PIN)', high: 'kõrge (ID-kaart ja PIN)',
    as: 'Logi sisse: {name}', code: 'Või isikukood', codeSubmit: 'Logi sisse isikukoodiga', cancel: 'Katkesta', clientIs: 'Teenus: {client}', unknown: 'Sellist isikut ei leitud. Vali isik nimekirjast või sisesta kehtiv isikukood.',
  },
  en: {
    title: 'Sign in', intro: 'Development identity provider: choose who you sign in as.', level: 'Assurance level', low: 'low (password)', substantial: 'substantial (mobile app and PIN)', high: 'high (ID card and PIN)',
    as: 'Sign in as {name}', code: 'Or a personal code', codeSubmit: 'Sign in with the personal code', cancel: 'Cancel', clientIs: 'Service: {client}', unknown: 'No such person. Choose a person from the list or enter a valid personal code.',
  },
  ru: {
    title: 'Вход', intro: 'Тестовый поставщик идентификации: выберите, под кем войти.', level: 'Уровень доверия', low: 'низкий (пароль)', substantial: 'существенный (мобильное приложение и PIN)', high: 'высокий (ID-карта и PIN)',
    as: 'Войти как {name}', code: 'Или личный код', codeSubmit: 'Войти по личному коду', cancel: 'Отменить', clientIs: 'Услуга: {client}', unknown: 'Такой человек не найден. Выберите человека из списка или введите действительный личный код.',
  },
};

export function pickLanguage(uiLocales: unknown): Language {
  const wanted = typeof uiLocales === 'string' ? uiLocales.split(' ').map((l) => l.slice(0, 2).toLowerCase()) : [];
  return (wanted.find((l) => (LOGIN_LANGUAGES as readonly string[]).includes(l)) as Language | undefined) ?? 'et';
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(options: { uid: string; client: string; personas: Persona[]; level: AssuranceLevel; language: Language; problem?: boolean }): string {
  const t = TEXT[options.language];
  const say = (key: string, values: Record<string, string> = {}) => esc(t[key]!.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? ''));
  const action = `/interaction/${encodeURIComponent(options.uid)}/login`;
  return `<!doctype html>
<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${say('title')}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
fieldset{border:1px solid #bbb;border-radius:.4rem;margin:1rem 0}
.persona{display:block;width:100%;text-align:left;margin:.4rem 0;padding:.6rem;font-size:1rem;cursor:pointer}
.role{color:#555;font-size:.9rem}
.problem{color:#a00;font-weight:bold}
</style>
</head>
<body>
<main>
<h1>${say('title')}</h1>
<p>${say('intro')}</p>
<p>${say('clientIs', { client: options.client })}</p>
${options.problem ? `<p class="problem" role="alert">${say('unknown')}</p>` : ''}
<form method="post" action="${action}">
<fieldset>
<legend>${say('level')}</legend>
${ASSURANCE_LEVELS.map((level) => `<label><input type="radio" name="acr" value="${level}"${level === options.level ? ' checked' : ''}> ${say(level)}</label><br>`).join('\n')}
</fieldset>
<ul style="list-style:none;padding:0">
${options.personas.map((p) => `<li><button class="persona" type="submit" name="persona" value="${esc(p.id)}">${say('as', { name: p.name })} <span class="role">(${esc(p.role)})</span></button></li>`).join('\n')}
</ul>
<p><label>${say('code')} <input name="personal_code" inputmode="numeric" pattern="[0-9]{11}" autocomplete="off"></label>
<button type="submit" name="persona" value="">${say('codeSubmit')}</button></p>
</form>
<form method="post" action="/interaction/${encodeURIComponent(options.uid)}/abort"><button type="submit">${say('cancel')}</button></form>
</main>
</body>
</html>`;
}
