/** The signed-in portal: one Apollo Client per session, every panel with its own query. */
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { useEffect, useMemo } from 'react';
import { adoptPreferredLanguage, useTranslation } from '../i18n/index.ts';
import { describeErrors } from '../shared/errors.ts';
import { dataOf, makeClient } from '../shared/graphql.ts';
import type { Session } from '../shared/session.ts';
import { PeopleContext, type Person } from '../shared/speak.tsx';
import { Frame, Loading, Problems, fullName } from '../shared/ui.tsx';
import { useActingFor } from './acting-for.ts';
import { BenefitsPanel } from './panels/BenefitsPanel.tsx';
import { ChildrenBenefitsPanel } from './panels/ChildrenBenefitsPanel.tsx';
import { DataTrackerPanel } from './panels/DataTrackerPanel.tsx';
import { ConsentsPanel } from './panels/ConsentsPanel.tsx';
import { FamilyPanel } from './panels/FamilyPanel.tsx';
import { InboxPanel } from './panels/InboxPanel.tsx';
import { IncomeTaxPanel } from './panels/IncomeTaxPanel.tsx';
import { NotificationPanel } from './panels/NotificationPanel.tsx';
import { DownloadPanel } from './panels/DownloadPanel.tsx';
import { OffersPanel } from './panels/OffersPanel.tsx';
import { PersonalDataPanel } from './panels/PersonalDataPanel.tsx';
import { ME, type MeData, type WardSummary } from './queries.ts';

export const PORTAL_PURPOSE = 'self-service';

export default function SignedInPortal({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const client = useMemo(() => makeClient({ token: session.token, purpose: PORTAL_PURPOSE }), [session]);
  return (
    <ApolloProvider client={client}>
      <Portal session={session} onSignOut={onSignOut} />
    </ApolloProvider>
  );
}

function Portal({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { t } = useTranslation();
  const [actingFor, setActingFor] = useActingFor();
  const me = useQuery(ME);
  const meData = dataOf<MeData>(me)?.me;
  const wards = meData?.wards ?? [];
  useEffect(() => adoptPreferredLanguage(meData?.preferredLanguage), [meData?.preferredLanguage]);
  const people = useMemo(() => {
    const map = new Map<string, Person>();
    if (meData) map.set(meData.id, { id: meData.id, givenName: meData.givenName, sex: meData.sex });
    for (const w of wards) map.set(w.id, { id: w.id, givenName: w.givenName, sex: w.sex });
    return map;
  }, [meData, wards]);
  const ward = wards.find((w) => w.id === actingFor);
  const actingForOther = actingFor !== undefined && actingFor !== session.sub;
  const documentTitle = actingForOther ? (ward ? t('portal.titleActingFor', { name: fullName(ward) }) : t('portal.titleRefused')) : t('portal.titleHome');
  const nav = <ActingForSwitcher wards={wards} actingFor={actingFor} onChange={setActingFor} ownName={meData ? fullName(meData) : session.name} />;
  return (
    <PeopleContext.Provider value={people}>
      <Frame title={t('portal.name')} documentTitle={documentTitle} user={session.name} onSignOut={onSignOut} nav={nav}>
        {actingForOther ? (
          ward ? (
            <RepresentedView ward={ward} />
          ) : me.loading ? (
            <Loading what={t('portal.loadingData')} />
          ) : (
            <Refused onBack={() => setActingFor(undefined)} />
          )
        ) : (
          <OwnView me={meData} loading={me.loading} error={me.error} wards={wards} token={session.token} />
        )}
      </Frame>
    </PeopleContext.Provider>
  );
}

function ActingForSwitcher({ wards, actingFor, onChange, ownName }: { wards: WardSummary[]; actingFor: string | undefined; onChange: (id: string | undefined) => void; ownName: string }) {
  const { t } = useTranslation();
  const knownWard = wards.some((w) => w.id === actingFor);
  return (
    <nav className="acting-for" aria-label={t('portal.whose')}>
      <label htmlFor="acting-for">{t('portal.actingFor')}</label>
      <select id="acting-for" value={actingFor ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{t('portal.myself', { name: ownName })}</option>
        {wards.map((w) => (
          <option key={w.id} value={w.id}>
            {t('portal.ward', { name: fullName(w) })}
          </option>
        ))}
        {actingFor && !knownWard && <option value={actingFor}>{t('portal.fromAddressBar', { id: actingFor })}</option>}
      </select>
    </nav>
  );
}

function OwnView({ me, loading, error, wards, token }: { me: MeData['me'] | undefined; loading: boolean; error: unknown; wards: WardSummary[]; token: string }) {
  const { t } = useTranslation();
  const problems = describeErrors(error);
  if (loading && !me) return <Loading what={t('portal.loadingData')} />;
  return (
    <>
      <h1>{me?.givenName ? t('portal.hello', { name: me.givenName }) : t('portal.titleHome')}</h1>
      <Problems problems={problems.filter((p) => !p.agency)} title={t('portal.someNotShown')} />
      <div className="grid">
        <OffersPanel />
        <PersonalDataPanel subject={{ self: true }} />
        <FamilyPanel subject={{ self: true }} wards={wards} />
        <IncomeTaxPanel subject={{ self: true }} />
        <BenefitsPanel subject={{ self: true }} />
        <ChildrenBenefitsPanel wards={wards} />
        <InboxPanel />
        <NotificationPanel />
        <DownloadPanel token={token} />
        <DataTrackerPanel subject={{ self: true }} />
        <ConsentsPanel subject={{ self: true }} />
      </div>
    </>
  );
}

function RepresentedView({ ward }: { ward: WardSummary }) {
  const { t } = useTranslation();
  const subject = { self: false as const, id: ward.id };
  return (
    <>
      <h1>{t('portal.actingForHeading', { name: fullName(ward) })}</h1>
      <p className="note">{t('portal.actingForNote')}</p>
      <div className="grid">
        <PersonalDataPanel subject={subject} />
        <FamilyPanel subject={subject} wards={[]} />
        <BenefitsPanel subject={subject} />
        <DataTrackerPanel subject={subject} whose={ward.givenName ?? fullName(ward)} />
        <ConsentsPanel subject={subject} whose={ward.givenName ?? fullName(ward)} />
      </div>
    </>
  );
}

function Refused({ onBack }: { onBack: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="refused">
      <h1>{t('portal.refusedHeading')}</h1>
      <Problems problems={[{ code: 'UNAUTHORIZED_FIELD_OR_TYPE', message: t('messages:denial.SUBJECT_OUT_OF_SCOPE') }]} title={t('portal.refusedTitle')} />
      <p>{t('portal.refusedHelp')}</p>
      <button type="button" onClick={onBack}>
        {t('portal.back')}
      </button>
    </div>
  );
}
