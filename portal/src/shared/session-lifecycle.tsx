/**
 * A session from sign-in to its end: a warning shortly before the access
 * token expires, with a way to extend it (the provider's refresh token, or a
 * new sign-in that the provider's own session makes quick); when it has
 * expired, a plain "signed out, sign in again" page instead of the token
 * errors the gateway would answer; signing out ends the provider's session too.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from '../i18n/index.ts';
import { extendSession, signOutAtProvider, startOidcSignIn } from './oidc.ts';
import { clearSession, loadSession, type App, type Session } from './session.ts';

/** Warn this long before the end, or a third of the session for short ones. */
const WARN_MS = 2 * 60_000;

export type SessionState = 'active' | 'ending' | 'expired';

export function useSessionLifecycle(app: App) {
  const [session, setSession] = useState<Session | null>(() => loadSession(app));
  const [expired, setExpired] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!session?.expiresAt) return;
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, [session]);
  const left = session?.expiresAt ? session.expiresAt - now : Infinity;
  const warnFor = session?.expiresAt && session.issuedAt ? Math.min(WARN_MS, (session.expiresAt - session.issuedAt) / 3) : WARN_MS;
  useEffect(() => {
    if (session && left <= 0) {
      clearSession(app);
      setSession(null);
      setExpired(true);
    }
  }, [session, left, app]);

  const extend = useCallback(async () => {
    const next = await extendSession(app);
    if (next) return setSession(next);
    // No refresh token: sign in again (the provider remembers the person, so it is one redirect).
    if (session?.issuer) await startOidcSignIn({ issuer: session.issuer }, session.client, app);
  }, [app, session]);

  const signOut = useCallback(() => {
    const current = session;
    clearSession(app);
    setSession(null);
    setExpired(false);
    if (current) void signOutAtProvider(current, app);
  }, [app, session]);

  const state: SessionState | undefined = expired ? 'expired' : session ? (left <= warnFor ? 'ending' : 'active') : undefined;
  return { session, state, secondsLeft: Math.max(0, Math.ceil(left / 1000)), extend, signOut, signInAgain: () => setExpired(false) };
}

export function SessionEnding({ secondsLeft, onExtend }: { secondsLeft: number; onExtend: () => Promise<void> }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const minutes = Math.floor(secondsLeft / 60);
  const seconds = secondsLeft % 60;
  return (
    <aside className="session-ending" aria-label={t('session.label')}>
      <p role="alert">{t('session.ending', { time: minutes > 0 ? t('session.minutes', { count: minutes }) : t('session.seconds', { count: seconds }) })}</p>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void onExtend().finally(() => setBusy(false));
        }}
      >
        {t('session.extend')}
      </button>
    </aside>
  );
}

export function SignedOut({ onSignInAgain }: { onSignInAgain: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="signed-out">
      <h1>{t('session.signedOutHeading')}</h1>
      <p>{t('session.signedOutText')}</p>
      <button type="button" onClick={onSignInAgain} autoFocus>
        {t('session.signInAgain')}
      </button>
    </div>
  );
}
