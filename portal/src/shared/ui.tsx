/** Building blocks every page shares: the frame with landmarks, status messages, sections. */
import { useId, type ReactNode } from 'react';
import type { Problem } from './errors.ts';

export function Frame({ title, user, onSignOut, children, nav, wide }: { title: string; user?: string; onSignOut?: () => void; children: ReactNode; nav?: ReactNode; wide?: boolean }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          citizen-graph <span className="brand-sub">{title}</span>
        </div>
        {user && (
          <div className="user">
            <span>
              Signed in as <strong>{user}</strong>
            </span>
            {onSignOut && (
              <button type="button" className="secondary" onClick={onSignOut}>
                Sign out
              </button>
            )}
          </div>
        )}
      </header>
      {nav}
      <main id="main" tabIndex={-1} className={wide ? 'wide-main' : undefined}>
        {children}
      </main>
      <footer className="site-footer">Synthetic data. Every read of a person's data is recorded with its purpose.</footer>
    </>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Problems({ problems, title = 'Something could not be shown' }: { problems: Problem[]; title?: string }) {
  if (problems.length === 0) return null;
  // The same refusal can repeat for every item of a list: say it once.
  const unique = [...new Map(problems.map((p) => [p.message, p])).values()];
  return (
    <div className="problems" role="alert">
      <p className="problems-title">{title}</p>
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

export function Section({ title, children, className, actions }: { title: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value ?? <span className="muted">not recorded</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

const euro = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
export const money = (n: number | null | undefined) => (n === null || n === undefined ? undefined : euro.format(n));
export const date = (iso: string | null | undefined) =>
  iso ? new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }) : undefined;
export const fullName = (c: { givenName?: string | null; familyName?: string | null; id: string }) =>
  [c.givenName, c.familyName].filter(Boolean).join(' ') || c.id;
export const humanize = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');
