/**
 * The explorer for frontend teams (development only): GraphiQL, bundled, over
 * the gateway's /graphql, signed in through the identity provider like every
 * page (the persona and level are chosen on its login page) with a chosen
 * client and purpose, so a developer sees exactly what a purpose returns —
 * refused fields come back as UNAUTHORIZED_FIELD_OR_TYPE errors with their reason.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './explorer-contrast.css';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { describeErrors } from '../shared/errors.ts';
import { startOidcSignIn } from '../shared/oidc.ts';
import { fetchConfig, loadSession, type Persona, type PortalConfig } from '../shared/session.ts';
import { Loading, Problems, useDocumentTitle } from '../shared/ui.tsx';

interface ExplorerOptions {
  personas: Persona[];
  clients: { id: string; name: string; purposes: { id: string; subjects: string[]; acr: string }[] }[];
}

interface Settings {
  client: string;
  purpose: string;
  caseRef: string;
  acr: 'low' | 'substantial' | 'high';
}

const DEFAULT_QUERY = `# Sign in above, then run. Fields the purpose does not grant come back as
# errors with extensions.code UNAUTHORIZED_FIELD_OR_TYPE and the reason.
query MyData {
  me {
    id
    givenName
    familyName
    annualIncome
    children { id givenName dateOfBirth }
    benefitEnrollments { programme { name } status since }
  }
}
`;

/** What the explorer asked with, kept across the round trip to the provider (this tab only). */
const SETTINGS = 'citizen-graph.explorer.settings';
const savedSettings = (): Settings | undefined => {
  try {
    return (JSON.parse(sessionStorage.getItem(SETTINGS) ?? 'null') as Settings | null) ?? undefined;
  } catch {
    return undefined;
  }
};

export default function Explorer() {
  const [options, setOptions] = useState<ExplorerOptions>();
  const [config, setConfig] = useState<PortalConfig>();
  const [error, setError] = useState<unknown>();
  const [session] = useState(() => loadSession('explorer'));
  const [settings, setSettings] = useState<Settings>(() => savedSettings() ?? { client: 'citizen-portal', purpose: 'self-service', caseRef: '', acr: 'substantial' });
  const token = session?.token;
  const [applied, setApplied] = useState<Settings | undefined>(() => (session ? savedSettings() : undefined));

  useDocumentTitle('Explorer');
  // A developer tool, in English only: the page's language says so (the portal's default is Estonian).
  useEffect(() => {
    document.documentElement.lang = 'en';
  }, []);
  useEditorLabels();
  useEffect(() => {
    fetchConfig()
      .then(async (config) => {
        if (!config.explorer) throw new Error('The explorer is available only on a development gateway.');
        setConfig(config);
        const response = await fetch('/dev/explorer-options');
        if (!response.ok) throw new Error(`The gateway answered ${response.status}.`);
        setOptions((await response.json()) as ExplorerOptions);
      })
      .catch(setError);
  }, []);

  const client = options?.clients.find((c) => c.id === settings.client);
  const purpose = client?.purposes.find((p) => p.id === settings.purpose);
  const needsCase = purpose?.subjects.includes('any') ?? false;

  async function signIn(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    sessionStorage.setItem(SETTINGS, JSON.stringify(settings));
    // The same client and level: only the purpose or the case changed, no new sign-in needed.
    if (session && applied && applied.client === settings.client && applied.acr === settings.acr) return setApplied(settings);
    try {
      if (!config?.oidc) throw new Error('No identity provider is configured.');
      // Always the provider's login page, so that another persona can be chosen.
      await startOidcSignIn(config.oidc, settings.client, 'explorer', { acr: settings.acr, prompt: 'login' });
    } catch (err) {
      setError(err);
    }
  }

  const fetcher = useMemo(
    () =>
      createGraphiQLFetcher({
        url: `${location.origin}/graphql`,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(applied ? { 'x-purpose': applied.purpose } : {}),
          ...(applied?.caseRef ? { 'x-case-ref': applied.caseRef } : {}),
        },
      }),
    [token, applied],
  );

  return (
    <div className="explorer">
      <a className="skip-link" href="#graphiql">
        Skip to the editor
      </a>
      <header className="site-header">
        <div className="brand">
          citizen-graph <span className="brand-sub">Explorer (development only)</span>
        </div>
      </header>
      <form className="explorer-bar" onSubmit={(e) => void signIn(e)} aria-label="Who is asking">
        {!options && !error && <Loading what="personas and clients" />}
        {options && (
          <>
            <div>
              <label htmlFor="ex-client">Client</label>
              <select
                id="ex-client"
                value={settings.client}
                onChange={(e) => {
                  const next = options.clients.find((c) => c.id === e.target.value);
                  setSettings({ ...settings, client: e.target.value, purpose: next?.purposes[0]?.id ?? '' });
                }}
              >
                {options.clients.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.id}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="ex-purpose">Purpose</label>
              <select id="ex-purpose" value={settings.purpose} onChange={(e) => setSettings({ ...settings, purpose: e.target.value })}>
                {client?.purposes.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.id}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="ex-acr">Assurance</label>
              <select id="ex-acr" value={settings.acr} onChange={(e) => setSettings({ ...settings, acr: e.target.value as Settings['acr'] })}>
                <option value="low">low</option>
                <option value="substantial">substantial</option>
                <option value="high">high</option>
              </select>
            </div>
            <div>
              <label htmlFor="ex-case">Case reference{needsCase ? ' (required)' : ''}</label>
              <input id="ex-case" value={settings.caseRef} onChange={(e) => setSettings({ ...settings, caseRef: e.target.value })} required={needsCase} placeholder={needsCase ? 'e.g. CASE-1' : 'not needed'} />
            </div>
            <button type="submit">Sign in and use these</button>
            <p className="explorer-status" role="status">
              {applied && session ? `Asking as ${session.sub} via ${applied.client} for ${applied.purpose}${applied.caseRef ? ` (case ${applied.caseRef})` : ''}` : 'Not signed in'}
            </p>
          </>
        )}
      </form>
      <Problems problems={describeErrors(error)} title="The explorer could not sign in" />
      <main id="graphiql" className="graphiql-host" aria-labelledby="explorer-title">
        <h1 id="explorer-title" className="visually-hidden">
          GraphQL explorer
        </h1>
        <GraphiQL key={`${token ?? ''}`} fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />
      </main>
    </div>
  );
}

/**
 * GraphiQL's CodeMirror editors come without accessible names, and their
 * scrolling areas cannot take focus: name each editor's input after the
 * panel it sits in, and let keyboard users reach the scrolling areas
 * (WCAG 1.3.1, 2.1.1). GraphiQL builds them lazily, so watch for them.
 */
function useEditorLabels() {
  useEffect(() => {
    const label = () => {
      for (const textarea of document.querySelectorAll<HTMLTextAreaElement>('.graphiql-container textarea:not([aria-label])')) {
        const editor = textarea.closest('.graphiql-query-editor, .graphiql-editor-tool, .result-window, .graphiql-response');
        const name = editor?.classList.contains('graphiql-query-editor')
          ? 'Query editor'
          : textarea.readOnly || editor?.classList.contains('result-window')
            ? 'Result'
            : 'Variables and headers editor';
        textarea.setAttribute('aria-label', name);
      }
      // CodeMirror gives its scroller tabindex -1; 0 puts it in the tab order, as a named region
      // (a name on a plain div is not allowed: ARIA 1.2 prohibits aria-label on generic elements).
      for (const scroll of document.querySelectorAll<HTMLElement>('.graphiql-container .CodeMirror-scroll:not([tabindex="0"])')) {
        scroll.tabIndex = 0;
        scroll.setAttribute('role', 'region');
        scroll.setAttribute('aria-label', 'Editor contents');
      }
      // GraphiQL's tabs are list items with role "tab" that hold two buttons (open, close): interactive
      // controls nested in a control (WCAG 4.1.2). As a plain list of buttons the active one is marked current.
      for (const tab of document.querySelectorAll<HTMLElement>('.graphiql-container [role="tab"]:has(button)')) {
        const selected = tab.getAttribute('aria-selected') === 'true';
        tab.removeAttribute('role');
        tab.removeAttribute('aria-selected');
        tab.querySelector('.graphiql-tab-button')?.setAttribute('aria-current', String(selected));
        const list = tab.closest('[role="tablist"]');
        list?.removeAttribute('role');
      }
    };
    label();
    const observer = new MutationObserver(label);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['role', 'aria-selected'] });
    return () => observer.disconnect();
  }, []);
}
