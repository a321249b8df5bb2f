/**
 * The citizen portal: sign-in, then one view of the person across agencies
 * (personal data, family, income and tax, benefits), switchable to a minor
 * the citizen represents, with their proactive offers, inbox and the record
 * of who read their data. Client `citizen-portal`, purpose `self-service`.
 */
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { useMemo, useState } from 'react';
import { describeErrors } from '../shared/errors.ts';
import { dataOf, makeClient } from '../shared/graphql.ts';
import { SignIn } from '../shared/SignIn.tsx';
import { clearSession, isPersonalCode, loadSession, saveSession, type Session } from '../shared/session.ts';
import { Frame, Loading, Problems, fullName } from '../shared/ui.tsx';
import { useActingFor } from './acting-for.ts';
import { BenefitsPanel } from './panels/BenefitsPanel.tsx';
import { DataTrackerPanel } from './panels/DataTrackerPanel.tsx';
import { FamilyPanel } from './panels/FamilyPanel.tsx';
import { InboxPanel } from './panels/InboxPanel.tsx';
import { IncomeTaxPanel } from './panels/IncomeTaxPanel.tsx';
import { OffersPanel } from './panels/OffersPanel.tsx';
import { PersonalDataPanel } from './panels/PersonalDataPanel.tsx';
import { ME, REPRESENTED, type CitizenView, type MeData, type RepresentedData, type WardSummary } from './queries.ts';

export const PORTAL_CLIENT = 'citizen-portal';
export const PORTAL_PURPOSE = 'self-service';

export default function CitizenPortal() {
  const [session, setSession] = useState<Session | null>(() => loadSession('portal'));
  const client = useMemo(() => (session ? makeClient({ token: session.token, purpose: PORTAL_PURPOSE }) : undefined), [session]);

  const signOut = () => {
    clearSession('portal');
    void client?.clearStore();
    history.replaceState(null, '', '/');
    setSession(null);
  };

  if (!session || !client) {
    return (
      <Frame title="Citizen portal">
        <SignIn
          heading="Your data across the state, in one place"
          intro="See what the population register, the tax board, the family register and the social insurance board hold about you and your children, the benefits you may be entitled to, and who read your data."
          client={PORTAL_CLIENT}
          accept={(p) => isPersonalCode(p.id)}
          onSignedIn={(s) => {
            saveSession('portal', s);
            setSession(s);
          }}
        />
      </Frame>
    );
  }
  return (
    <ApolloProvider client={client}>
      <Portal session={session} onSignOut={signOut} />
    </ApolloProvider>
  );
}

function Portal({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [actingFor, setActingFor] = useActingFor();
  const me = useQuery(ME);
  const meData = dataOf<MeData>(me);
  const wards = meData?.me?.wards ?? [];
  const nav = <ActingForSwitcher wards={wards} actingFor={actingFor} onChange={setActingFor} ownName={meData?.me ? fullName(meData.me) : session.name} />;
  return (
    <Frame title="Citizen portal" user={session.name} onSignOut={onSignOut} nav={nav}>
      {actingFor && actingFor !== session.sub ? (
        <RepresentedView id={actingFor} wards={wards} onBack={() => setActingFor(undefined)} />
      ) : (
        <OwnView data={meData} loading={me.loading} error={me.error} />
      )}
    </Frame>
  );
}

function ActingForSwitcher({ wards, actingFor, onChange, ownName }: { wards: WardSummary[]; actingFor: string | undefined; onChange: (id: string | undefined) => void; ownName: string }) {
  const knownWard = wards.some((w) => w.id === actingFor);
  return (
    <nav className="acting-for" aria-label="Whose data">
      <label htmlFor="acting-for">Acting for</label>
      <select id="acting-for" value={actingFor ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">Myself ({ownName})</option>
        {wards.map((w) => (
          <option key={w.id} value={w.id}>
            {fullName(w)} (child or ward)
          </option>
        ))}
        {actingFor && !knownWard && <option value={actingFor}>{actingFor} (from the address bar)</option>}
      </select>
    </nav>
  );
}

function OwnView({ data, loading, error }: { data: MeData | undefined; loading: boolean; error: unknown }) {
  const problems = describeErrors(error);
  if (loading && !data) return <Loading what="your data" />;
  const me = data?.me;
  if (!me) return <Problems problems={problems.length ? problems : [{ message: 'Your record was not found in the population register.' }]} title="Your data could not be loaded" />;
  return (
    <>
      <h1>Hello, {me.givenName ?? fullName(me)}</h1>
      <Problems problems={problems} title="Some of your data could not be shown" />
      <div className="grid">
        <OffersPanel />
        <PersonalDataPanel citizen={me} />
        <FamilyPanel citizen={me} wards={me.wards ?? []} />
        <IncomeTaxPanel citizen={me} />
        <BenefitsPanel citizen={me} />
        <InboxPanel />
        <DataTrackerPanel />
      </div>
    </>
  );
}

function RepresentedView({ id, wards, onBack }: { id: string; wards: WardSummary[]; onBack: () => void }) {
  const result = useQuery(REPRESENTED, { variables: { id } });
  const { loading, error } = result;
  const data = dataOf<RepresentedData>(result);
  const problems = describeErrors(error);
  if (loading && !data) return <Loading what="the data of the person you act for" />;
  const person: CitizenView | null | undefined = data?.citizen;
  if (!person) {
    return (
      <div className="refused">
        <h1>This person's data is not available to you</h1>
        <Problems
          problems={problems.length ? problems : [{ message: 'No person with this personal code is in your care.' }]}
          title="The gateway refused to show this person's data"
        />
        <p>You can see your own data and the data of the children and wards you legally represent.</p>
        <button type="button" onClick={onBack}>
          Back to my own data
        </button>
      </div>
    );
  }
  return (
    <>
      <h1>Acting for {fullName(person)}</h1>
      <p className="note">You see this data as {wards.some((w) => w.id === id) ? 'their parent or guardian' : 'their representative'}. Every view is recorded in their data tracker.</p>
      <Problems problems={problems} title="Some of this data could not be shown" />
      <div className="grid">
        <PersonalDataPanel citizen={person} />
        <FamilyPanel citizen={person} wards={[]} />
        <IncomeTaxPanel citizen={person} />
        <BenefitsPanel citizen={person} />
      </div>
    </>
  );
}
