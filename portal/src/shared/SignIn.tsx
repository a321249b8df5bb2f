/**
 * Sign-in: in development a picker of the demo personas (tokens from the dev
 * identity provider); in a production configuration a redirect to the OIDC provider.
 */
import { useEffect, useState } from 'react';
import { describeErrors } from './errors.ts';
import { startOidcSignIn } from './oidc.ts';
import { devToken, fetchConfig, fetchPersonas, type Persona, type PortalConfig, type Session } from './session.ts';
import { Loading, Problems } from './ui.tsx';
import { useTranslation } from '../i18n/index.ts';

export interface SignInProps {
  heading: string;
  intro: string;
  client: string;
  acr?: 'low' | 'substantial' | 'high';
  /** Which personas this page is for. */
  accept: (persona: Persona) => boolean;
  onSignedIn: (session: Session) => void;
}

export function SignIn({ heading, intro, client, acr, accept, onSignedIn }: SignInProps) {
  const [config, setConfig] = useState<PortalConfig>();
  const [personas, setPersonas] = useState<Persona[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const { t } = useTranslation();

  useEffect(() => {
    fetchConfig()
      .then(async (c) => {
        setConfig(c);
        if (c.signIn === 'dev-personas') setPersonas((await fetchPersonas()).filter(accept));
      })
      .catch(setError);
    // `accept` is a constant of the page: run once.
  }, []);

  async function signInAs(persona: Persona) {
    setBusy(persona.id);
    setError(undefined);
    try {
      onSignedIn({ token: await devToken(persona.id, client, acr), sub: persona.id, name: persona.name, client });
    } catch (e) {
      setError(e);
      setBusy(undefined);
    }
  }

  return (
    <div className="sign-in">
      <h1>{heading}</h1>
      <p>{intro}</p>
      <Problems problems={describeErrors(error)} title={t('signIn.failed')} />
      {!config && !error && <Loading what={t('signIn.options')} />}
      {config?.signIn === 'oidc' &&
        (config.oidc ? (
          <button type="button" onClick={() => void startOidcSignIn(config.oidc!, client)}>
            {t('signIn.provider')}
          </button>
        ) : (
          <p className="problems" role="alert">
            {t('signIn.notConfigured')}
          </p>
        ))}
      {config?.signIn === 'dev-personas' && (
        <>
          <p className="dev-note">
            <strong>{t('signIn.devTitle')}</strong> {t('signIn.devNote')}
          </p>
          {!personas && <Loading what={t('signIn.personas')} />}
          <ul className="personas" aria-label={t('signIn.personasLabel')}>
            {personas?.map((p) => (
              <li key={p.id}>
                <button type="button" className="persona" onClick={() => void signInAs(p)} disabled={busy !== undefined} aria-describedby={`persona-${p.id}`}>
                  <span className="persona-name">{t('signIn.as', { name: p.name })}</span>
                  <span className="persona-role">{p.role}</span>
                </button>
                <p id={`persona-${p.id}`} className="persona-description">
                  {p.description}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
