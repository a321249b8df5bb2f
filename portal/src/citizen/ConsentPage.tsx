/**
 * The consent page a partner sends a person to:
 * `/consent?client=<partner>&purpose=<purpose>&return=<registered return URL>`.
 * The request is checked against the policy first (GET
 * /portal/consent-request: a registered partner, one of its consent-based
 * purposes, a return URL it registered, exactly); only then does the page
 * say, in plain words, which data, for how long and why, and ask the person
 * to sign in and decide. Agreeing records the consent (grantConsent,
 * self-service) and sends the person back with the consent's id; declining
 * sends them back with nothing. A guardian may consent for a minor child.
 */
import { ApolloProvider, useMutation, useQuery } from '@apollo/client/react';
import { gql } from '@apollo/client';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from '../i18n/index.ts';
import { describeErrors, type Problem } from '../shared/errors.ts';
import { dataOf, makeClient } from '../shared/graphql.ts';
import { SignIn } from '../shared/SignIn.tsx';
import { clearSession, loadSession, type Session } from '../shared/session.ts';
import { Frame, Loading, Problems, fullName, useFocusOnShow, useFormats } from '../shared/ui.tsx';
import { useDataNames } from './panels/ConsentsPanel.tsx';
import { forgetConsentPage, rememberConsentPage } from './consent-return.ts';
import { ME, type MeData } from './queries.ts';

interface ConsentRequest {
  client: string;
  clientName: string;
  purpose: string;
  purposeDescription: string;
  fields: string[];
  categories: string[];
  returnUrl: string;
  maxDays: number;
}

const GRANT = gql`
  mutation PortalGrantConsent($client: ID!, $purpose: ID!, $validUntil: Date!, $subject: ID) {
    grantConsent(client: $client, purpose: $purpose, validUntil: $validUntil, subject: $subject) {
      id
      validUntil
      receipt
    }
  }
`;

const dayPlus = (days: number) => {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** The return URL with the outcome, as OAuth-style query parameters the partner reads. */
function backTo(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export default function ConsentPage() {
  const { t } = useTranslation();
  const params = new URLSearchParams(location.search);
  const [request, setRequest] = useState<ConsentRequest>();
  const [refused, setRefused] = useState<string>();
  const [session, setSession] = useState<Session | null>(() => loadSession('portal'));

  useEffect(() => {
    const query = new URLSearchParams({ client: params.get('client') ?? '', purpose: params.get('purpose') ?? '', return: params.get('return') ?? '' });
    fetch(`/portal/consent-request?${query.toString()}`)
      .then(async (response) => {
        const body = (await response.json()) as ConsentRequest & { errors?: { extensions?: { reason?: string } }[] };
        if (!response.ok) setRefused(body.errors?.[0]?.extensions?.reason ?? 'UNKNOWN_CLIENT');
        else {
          setRequest(body);
          // Sign-in may leave for the identity provider, which comes back to the portal's home: come back here.
          if (loadSession('portal')) forgetConsentPage();
          else rememberConsentPage();
        }
      })
      .catch(() => setRefused('NETWORK'));
    // The request is the page's address: read once.
  }, []);

  const partner = request ? t(`messages:client.${request.client}`, { defaultValue: request.clientName }) : '';
  const signOut = () => {
    clearSession('portal');
    setSession(null);
  };
  return (
    <Frame title={t('consentPage.name')} documentTitle={partner ? t('consentPage.title', { partner }) : t('consentPage.name')} user={session?.name} onSignOut={session ? signOut : undefined}>
      {refused ? (
        <div className="refused" data-refused={refused}>
          <h1>{t('consentPage.refusedHeading')}</h1>
          <Problems problems={[{ code: refused, message: t(`consentPage.refused.${refused}`, { defaultValue: t('consentPage.refused.UNKNOWN_CLIENT') }) }]} />
          <p>{t('consentPage.refusedHelp')}</p>
        </div>
      ) : !request ? (
        <Loading what={t('consentPage.loading')} />
      ) : (
        <>
          <h1>{t('consentPage.heading', { partner })}</h1>
          <Explanation request={request} partner={partner} />
          {session ? (
            <SignedInConsent session={session} request={request} partner={partner} />
          ) : (
            <SignIn heading={t('consentPage.signInHeading')} intro={t('consentPage.signInIntro', { partner })} client="citizen-portal" app="portal" />
          )}
        </>
      )}
    </Frame>
  );
}

/** Which data, why, and what the person can do later: before anything is decided. */
function Explanation({ request, partner }: { request: ConsentRequest; partner: string }) {
  const { t } = useTranslation();
  const dataNames = useDataNames();
  return (
    <div className="consent-explanation">
      <h2>{t('consentPage.whatHeading')}</h2>
      <p data-consent-data>{t('consentPage.what', { partner, data: dataNames(request.fields, request.categories) })}</p>
      <p>{t('consentPage.whereFrom')}</p>
      <h2>{t('consentPage.whyHeading')}</h2>
      <p>{t(`messages:consentPurpose.${request.purpose}`, { defaultValue: request.purposeDescription })}</p>
      <p className="muted small-text">{t('consentPage.law', { law: t(`messages:purposeLaw.${request.purpose}`, { defaultValue: '' }) })}</p>
      <h2>{t('consentPage.howLongHeading')}</h2>
      <p>{t('consentPage.howLong', { days: request.maxDays })}</p>
      <p>{t('consentPage.revocable')}</p>
    </div>
  );
}

function SignedInConsent({ session, request, partner }: { session: Session; request: ConsentRequest; partner: string }) {
  const client = useMemo(() => makeClient({ token: session.token, purpose: 'self-service' }), [session]);
  return (
    <ApolloProvider client={client}>
      <Decide session={session} request={request} partner={partner} />
    </ApolloProvider>
  );
}

function Decide({ session, request, partner }: { session: Session; request: ConsentRequest; partner: string }) {
  const { t } = useTranslation();
  const { date } = useFormats();
  const me = dataOf<MeData>(useQuery(ME))?.me;
  // A guardian consents for a minor child; an adult consents for themselves.
  const minors = (me?.wards ?? []).filter((w) => w.dateOfBirth && w.dateOfBirth > dayPlus(-18 * 365.25));
  const [subject, setSubject] = useState(session.sub);
  const [validUntil, setValidUntil] = useState(dayPlus(Math.min(90, request.maxDays)));
  const [grant, granting] = useMutation(GRANT);
  const [granted, setGranted] = useState<{ id: string; validUntil: string; receipt: string }>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const focus = useFocusOnShow<HTMLDivElement>(granted);

  const agree = async () => {
    setProblems([]);
    const answer = await grant({ variables: { client: request.client, purpose: request.purpose, validUntil, subject: subject === session.sub ? null : subject } });
    const data = answer.data as { grantConsent?: { id: string; validUntil: string; receipt: string } } | undefined;
    if (answer.error || !data?.grantConsent) setProblems(describeErrors(answer.error));
    else setGranted(data.grantConsent);
  };

  if (granted) {
    return (
      <div className="confirmation" role="status" tabIndex={-1} ref={focus} data-consent-granted={granted.id}>
        <h2>{t('consentPage.grantedHeading')}</h2>
        <p>{t('consentPage.granted', { partner, date: date(granted.validUntil) })}</p>
        <p>
          <a download={`consent-receipt-${granted.id}.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(granted.receipt)}`}>
            {t('consents.receipt')}
          </a>
        </p>
        <p>
          <a className="button" href={backTo(request.returnUrl, { consent: granted.id, status: 'granted' })}>
            {t('consentPage.back', { partner })}
          </a>
        </p>
      </div>
    );
  }
  return (
    <form
      className="consent-form"
      onSubmit={(e) => {
        e.preventDefault();
        void agree();
      }}
    >
      {minors.length > 0 && (
        <p>
          <label htmlFor="consent-subject">{t('consentPage.forWhom')}</label>{' '}
          <select id="consent-subject" value={subject} onChange={(e) => setSubject(e.target.value)}>
            <option value={session.sub}>{t('consentPage.forMe')}</option>
            {minors.map((w) => (
              <option key={w.id} value={w.id}>
                {t('consentPage.forChild', { name: fullName(w) })}
              </option>
            ))}
          </select>
        </p>
      )}
      <p>
        <label htmlFor="consent-until">{t('consentPage.until')}</label>{' '}
        <input id="consent-until" type="date" required min={dayPlus(0)} max={dayPlus(request.maxDays - 1)} value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
      </p>
      <Problems problems={problems} title={t('consentPage.failed')} />
      <div className="actions">
        <button type="submit" disabled={granting.loading}>
          {t('consentPage.agree', { partner })}
        </button>{' '}
        <a className="button secondary" href={backTo(request.returnUrl, { status: 'declined' })}>
          {t('consentPage.decline')}
        </a>
      </div>
    </form>
  );
}
