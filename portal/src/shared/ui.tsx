/** Building blocks every page shares: the frame with landmarks and the language switch, status messages, sections, formats. */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { LANGUAGES, chooseLanguage, useTranslation, type Language } from '../i18n/index.ts';
import { formatDate, formatDateTime, formatMoney } from '../../../platform/messages/formats.ts';
import type { Problem } from './errors.ts';

const LANGUAGE_NAMES: Record<Language, string> = { et: 'Eesti keeles', en: 'In English', ru: 'На русском' };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <nav className="languages" aria-label={t('frame.language')}>
      <ul>
        {LANGUAGES.map((lng) => (
          <li key={lng}>
            <button type="button" className="link-button" lang={lng} aria-current={i18n.language === lng ? 'true' : undefined} onClick={() => chooseLanguage(lng)}>
              {LANGUAGE_NAMES[lng]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The window's title: the page and its state first, then the site (WCAG 2.4.2). */
export function useDocumentTitle(title: string | undefined) {
  const { t } = useTranslation();
  useEffect(() => {
    if (title) document.title = `${title} – ${t('frame.site')}`;
  }, [title, t]);
}

export function Frame({
  title,
  documentTitle,
  user,
  onSignOut,
  children,
  nav,
  wide,
}: {
  title: string;
  /** What this page shows now (sign-in, own data, a child's data…), for the window title. */
  documentTitle: string;
  user?: string;
  onSignOut?: () => void;
  children: ReactNode;
  nav?: ReactNode;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  useDocumentTitle(documentTitle);
  return (
    <>
      <a className="skip-link" href="#main">
        {t('frame.skip')}
      </a>
      <header className="site-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          {t('frame.site')} <span className="brand-sub">{title}</span>
        </div>
        <div className="header-tools">
          <LanguageSwitch />
          {user && (
            <div className="user">
              <span>
                {t('frame.signedInAs')} <strong>{user}</strong>
              </span>
              {onSignOut && (
                <button type="button" className="secondary" onClick={onSignOut}>
                  {t('frame.signOut')}
                </button>
              )}
            </div>
          )}
        </div>
      </header>
      {nav}
      <main id="main" tabIndex={-1} className={wide ? 'wide-main' : undefined}>
        {children}
      </main>
      <footer className="site-footer">{t('frame.footer')}</footer>
    </>
  );
}

export function Loading({ what }: { what: string }) {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status" aria-live="polite">
      {t('loading', { what })}
    </p>
  );
}

export function Problems({ problems, title }: { problems: Problem[]; title?: string }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  // The same refusal can repeat for every item of a list: say it once.
  const unique = [...new Map(problems.map((p) => [p.message, p])).values()];
  return (
    <div className="problems" role="alert">
      <p className="problems-title">{title ?? t('problems.default')}</p>
      <ul>
        {unique.map((p) => (
          <li key={p.message} data-code={p.code}>
            {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** An agency that could not be reached: said plainly, instead of facts that would look like "none". */
export function Unavailable({ agencies }: { agencies: string[] }) {
  const { t } = useTranslation();
  return (
    <div className="unavailable" role="alert" data-unavailable={agencies.join(' ')}>
      {agencies.map((a) => (
        <p key={a}>
          <strong>{t(`messages:agencyUnavailable.${a}`)}</strong>
        </p>
      ))}
      <p>{t('messages:agencyUnavailable.tryLater')}</p>
    </div>
  );
}

export function Section({ title, children, className, actions, source }: { title: string; children: ReactNode; className?: string; actions?: ReactNode; source?: string }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {source && <p className="source">{source}</p>}
      {children}
    </section>
  );
}

export function Facts({ items }: { items: [string, ReactNode][] }) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value ?? <span className="muted">{t('notRecorded')}</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Dates and euros in the reader's language. */
export function useFormats() {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  return {
    money: (n: number | null | undefined) => (n === null || n === undefined ? undefined : formatMoney(n, lng)),
    date: (iso: string | null | undefined) => (iso ? formatDate(iso, lng) : undefined),
    dateTime: (iso: string) => formatDateTime(iso, lng),
  };
}

/** Moves focus to an element when it appears (a confirmation after a decision), so screen readers read it. */
export function useFocusOnShow<T extends HTMLElement>(shown: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (shown) ref.current?.focus();
  }, [shown]);
  return ref;
}

export const fullName = (c: { givenName?: string | null; familyName?: string | null; id: string }) => [c.givenName, c.familyName].filter(Boolean).join(' ') || c.id;
