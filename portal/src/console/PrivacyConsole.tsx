/**
 * The privacy console, for the data protection officer: the policy the
 * gateway enforces (purposes × categories with legal bases, clients, the
 * result of `policy check`, who may read a field and why) from the gateway's
 * /policy views, and the audit search through the graph (client
 * `privacy-console`, purpose `privacy-oversight`, with a case reference).
 */
import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { describeErrors } from '../shared/errors.ts';
import { makeClient } from '../shared/graphql.ts';
import { SignIn } from '../shared/SignIn.tsx';
import { getJson } from '../shared/session.ts';
import { SessionEnding, SignedOut, useSessionLifecycle } from '../shared/session-lifecycle.tsx';
import { Frame, Loading, Problems, Section } from '../shared/ui.tsx';
import { AuditSearch } from './AuditSearch.tsx';
import { useTranslation } from '../i18n/index.ts';
import { FieldSearch } from './FieldSearch.tsx';
import { ReadInquiries } from './ReadInquiries.tsx';
import { MATRIX_FIELDS_ID, MatrixFields, type CellRef } from './MatrixFields.tsx';
import type { CheckView, ClientsView, Matrix } from './types.ts';

export const CONSOLE_CLIENT = 'privacy-console';
export const CONSOLE_PURPOSE = 'privacy-oversight';

export default function PrivacyConsole() {
  const { t } = useTranslation();
  const { session, state, secondsLeft, extend, signOut, signInAgain } = useSessionLifecycle('console');
  const client = useMemo(() => (session ? makeClient({ token: session.token, purpose: CONSOLE_PURPOSE }) : undefined), [session]);
  if (state === 'expired') {
    return (
      <Frame title="Privacy console" documentTitle="Signed out – Privacy console">
        <SignedOut onSignInAgain={signInAgain} />
      </Frame>
    );
  }
  if (!session || !client) {
    return (
      <Frame title="Privacy console" documentTitle="Sign in – Privacy console">
        <SignIn
          heading="Privacy console"
          intro="For the data protection officer: the purpose policy the gateway enforces, and the audit log. Oversight needs the highest sign-in assurance."
          client={CONSOLE_CLIENT}
          app="console"
          acr="high"
        />
      </Frame>
    );
  }
  const nav = (
    <nav className="section-nav" aria-label="Console sections">
      <a href="#matrix">Matrix</a>
      <a href="#clients">Clients</a>
      <a href="#check">Policy check</a>
      <a href="#fields">Field search</a>
      <a href="#audit">Audit search</a>
      <a href="#inquiries">{t('console.inquiries.title')}</a>
    </nav>
  );
  return (
    <ApolloProvider client={client}>
      {state === 'ending' && <SessionEnding secondsLeft={secondsLeft} onExtend={extend} />}
      <Frame title="Privacy console" documentTitle="Purpose policy and audit – Privacy console" user={session.name} onSignOut={signOut} nav={nav} wide>
        <h1>Purpose policy and audit</h1>
        <div className="console">
          <Anchor id="matrix">
            <MatrixView token={session.token} />
          </Anchor>
          <Anchor id="clients">
            <ClientsList token={session.token} />
          </Anchor>
          <Anchor id="check">
            <PolicyCheck token={session.token} />
          </Anchor>
          <Anchor id="fields">
            <FieldSearch token={session.token} />
          </Anchor>
          <Anchor id="audit">
            <AuditSearch />
          </Anchor>
          <Anchor id="inquiries">
            <ReadInquiries />
          </Anchor>
        </div>
      </Frame>
    </ApolloProvider>
  );
}

const Anchor = ({ id, children }: { id: string; children: ReactNode }) => (
  <div id={id} className="anchor">
    {children}
  </div>
);

/** A /policy view, loaded once with the officer's token. */
export function usePolicyView<T>(path: string, token: string) {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    getJson<T>(path, token).then(
      (data) => live && setState({ data }),
      (error: unknown) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [path, token]);
  return state;
}

const CELL_TEXT = { granted: 'granted', denied: 'denied', none: '–', partial: '' } as const;

/** Purposes grouped by their legal basis (GDPR art. 6(1)): consent-based ones reach only the people who agreed. */
const BASIS_ORDER = ['statute', 'public-task', 'contract', 'consent'] as const;
const BASIS_NAMES: Record<(typeof BASIS_ORDER)[number], string> = {
  statute: 'Legal obligation or statute (art. 6(1)(c))',
  'public-task': 'Public task (art. 6(1)(e))',
  contract: 'Contract (art. 6(1)(b))',
  consent: 'Consent (art. 6(1)(a)): only people who agreed, while their consent is live',
};

function MatrixView({ token }: { token: string }) {
  const { t } = useTranslation();
  const { data, error } = usePolicyView<Matrix>('/policy/matrix', token);
  const [open, setOpen] = useState<CellRef>();
  const isOpen = (row: number, column: number) => open?.row === row && open.column === column;
  return (
    <Section title="Purposes × categories" className="wide">
      <p className="source">What each purpose may read, computed from the policy the gateway enforces. Partial: some fields of the category.</p>
      <Problems problems={describeErrors(error)} title="The matrix could not be loaded" />
      {!data && !error && <Loading what="the matrix" />}
      {data && (
        <div className="table-scroll" role="region" aria-label="Purposes by categories matrix, scrolls sideways" tabIndex={0}>
          <table className="matrix">
            <caption className="visually-hidden">Purposes by data categories, with legal bases</caption>
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                {data.categories.map((c) => (
                  <th scope="col" key={c} className={c.includes('.') ? 'sub' : 'top'}>
                    {c}
                  </th>
                ))}
                <th scope="col">Legal basis</th>
              </tr>
            </thead>
            {BASIS_ORDER.map((kind) => {
              const rows = data.rows.filter((row) => (row.legalBasisKind ?? row.legalBasis.split(':')[0]) === kind);
              if (rows.length === 0) return null;
              return (
                <tbody key={kind} data-basis={kind}>
                  <tr className="basis-group">
                    <th scope="rowgroup" colSpan={data.categories.length + 2}>
                      {BASIS_NAMES[kind]}
                    </th>
                  </tr>
                  {rows.map((row) => {
                    // The cell's row in the whole matrix, as MatrixFields reads it.
                    const r = data.rows.indexOf(row);
                    return (
                    <tr key={row.purpose}>
                      <th scope="row">
                        {row.purpose}
                        {row.internal && <span className="muted"> (internal)</span>}
                      </th>
                      {row.cells.map((cell, i) => (
                        <td key={data.categories[i]} className={`cell ${cell.state}`}>
                          {/* Each cell opens the fields behind it, below the table. */}
                          <button
                            type="button"
                            className="cell-button"
                            aria-expanded={isOpen(r, i)}
                            aria-controls={isOpen(r, i) ? MATRIX_FIELDS_ID : undefined}
                            onClick={() => setOpen(isOpen(r, i) ? undefined : { row: r, column: i })}
                          >
                            {cell.state === 'partial' ? `${cell.allowed}/${cell.total}` : CELL_TEXT[cell.state]}
                            <span className="visually-hidden">, {t('console.matrix.open', { category: data.categories[i], purpose: row.purpose })}</span>
                          </button>
                        </td>
                      ))}
                      <td className="basis">
                        {row.legalBasis}
                        {row.subjects?.includes('consented') && <div className="small-text">Reaches only the people whose consent for the partner is live (looked up at every request).</div>}
                      </td>
                    </tr>
                    );
                  })}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
      {data && open && <MatrixFields matrix={data} cell={open} onClose={() => setOpen(undefined)} />}
    </Section>
  );
}

function ClientsList({ token }: { token: string }) {
  const { data, error } = usePolicyView<ClientsView>('/policy/clients', token);
  return (
    <Section title="Clients and their purposes">
      <Problems problems={describeErrors(error)} title="The clients could not be loaded" />
      {!data && !error && <Loading what="the clients" />}
      <ul className="client-list">
        {data?.clients.map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong> <code>{c.id}</code> <span className="badge">{[c.actors].flat().join(', ')}</span>
            <p className="muted small-text">{c.description}</p>
            <p>
              May use:{' '}
              {c.purposes.map((p, i) => (
                <span key={p.id}>
                  {i > 0 && ', '}
                  <code>{p.id}</code> <span className="muted">({p.subjects.join('/')}, assurance {p.acr})</span>
                </span>
              ))}
            </p>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function PolicyCheck({ token }: { token: string }) {
  const { data, error } = usePolicyView<CheckView>('/policy/check', token);
  const errors = data?.problems.filter((p) => p.severity === 'error') ?? [];
  const warnings = data?.problems.filter((p) => p.severity === 'warning') ?? [];
  return (
    <Section title="Policy check">
      <Problems problems={describeErrors(error)} title="The check could not be run" />
      {!data && !error && <Loading what="the policy check" />}
      {data && (
        <>
          <p className={data.ok ? 'ok' : 'not-ok'} role="status">
            {data.ok ? '✓ The policy is consistent with the schema' : '✗ The policy has errors'}: {errors.length} error{errors.length === 1 ? '' : 's'}, {warnings.length} warning
            {warnings.length === 1 ? '' : 's'}.
          </p>
          {data.problems.length > 0 && (
            <ul className="check-list">
              {data.problems.map((p) => (
                <li key={`${p.code}-${p.message}`} className={p.severity}>
                  <span className="badge">{p.severity}</span> <code>{p.file}</code> {p.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
