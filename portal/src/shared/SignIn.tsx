/**
 * Sign-in: one button to the identity provider (oidc.ts). In development the
 * provider is the development one, whose sign-in page lists the demo personas
 * and the assurance level; in production it is the state's.
 */
import { useEffect, useState } from 'react';
import { describeErrors } from './errors.ts';
import { startOidcSignIn } from './oidc.ts';
import { fetchConfig, type App, type PortalConfig } from './session.ts';
import { Loading, Problems } from './ui.tsx';
import { i18next, useTranslation } from '../i18n/index.ts';

export interface SignInProps {
  heading: string;
  intro: string;
  client: string;
  app: App;
  acr?: 'low' | 'substantial' | 'high';
}

export function SignIn({ heading, intro, client, app, acr }: SignInProps) {
  const [config, setConfig] = useState<PortalConfig>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { t } = useTranslation();

  useEffect(() => {
    fetchConfig().then(setConfig, setError);
  }, []);

  async function signIn() {
    setBusy(true);
    setError(undefined);
    try {
      await startOidcSignIn(config!.oidc!, client, app, { acr, language: i18next.language });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <h1>{heading}</h1>
      <p>{intro}</p>
      <Problems problems={describeErrors(error)} title={t('signIn.failed')} />
      {!config && !error && <Loading what={t('signIn.options')} />}
      {config &&
        (config.oidc ? (
          <>
            {config.development && (
              <p className="dev-note">
                <strong>{t('signIn.devTitle')}</strong> {t('signIn.devNote')}
              </p>
            )}
            <button type="button" className="sign-in-button" onClick={() => void signIn()} disabled={busy}>
              {t('signIn.provider')}
            </button>
          </>
        ) : (
          <p className="problems" role="alert">
            {t('signIn.notConfigured')}
          </p>
        ))}
    </div>
  );
}
