/** Three pages on one bundle, each loaded only when visited: portal (/), privacy console (/console), explorer (/explorer, development). */
import { StrictMode, Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n/index.ts';
import { i18next } from './i18n/index.ts';
import { finishOidcSignIn } from './shared/oidc.ts';
import { Loading, Problems } from './shared/ui.tsx';
import './styles.css';

const CitizenPortal = lazy(() => import('./citizen/CitizenPortal.tsx'));
const PrivacyConsole = lazy(() => import('./console/PrivacyConsole.tsx'));
const Explorer = lazy(() => import('./explorer/Explorer.tsx'));

function OidcCallback() {
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    // A refused or replayed sign-in (state, nonce, code) is not explained to the person in protocol terms: they start again.
    finishOidcSignIn().then((next) => location.replace(next), () => setFailed(true));
  }, []);
  if (!failed) return <Loading what={i18next.t('signIn.session')} />;
  return (
    <main id="main">
      <Problems problems={[{ message: i18next.t('signIn.incomplete') }]} title={i18next.t('signIn.failed')} />
      <p>
        <a href="/">{i18next.t('session.signInAgain')}</a>
      </p>
    </main>
  );
}

function Page() {
  const path = location.pathname;
  if (path.startsWith('/console')) return <PrivacyConsole />;
  if (path.startsWith('/explorer')) return <Explorer />;
  if (path.startsWith('/oidc/callback')) return <OidcCallback />;
  return <CitizenPortal />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={<p className="loading" role="status">…</p>}>
      <Page />
    </Suspense>
  </StrictMode>,
);
