/**
 * The caseworker's desk, for Social Insurance Board staff: the queue of
 * contested offers (client `caseworker-app`, purpose `contest-review`), each
 * with the person's reason, the offer and the facts it rests on, and the two
 * decisions: uphold (the offer reopened, or granted) or reject with a reason
 * the person is told. Each request carries the contest's own reference as its
 * case reference, so the audit names the case.
 */
import { gql } from '@apollo/client';
import { ApolloProvider, useApolloClient, useQuery } from '@apollo/client/react';
import { useMemo, useState, type FormEvent } from 'react';
import { describeErrors } from '../shared/errors.ts';
import { dataOf, makeClient } from '../shared/graphql.ts';
import { SignIn } from '../shared/SignIn.tsx';
import { SessionEnding, SignedOut, useSessionLifecycle } from '../shared/session-lifecycle.tsx';
import { Frame, Loading, Problems, Section, fullName } from '../shared/ui.tsx';
import { CASEWORKER_CLIENT, CONTEST_PURPOSE, CONTEST_QUEUE, REJECT_CONTEST, UPHOLD_CONTEST, type Contest } from './queries.ts';

/** The queue itself is no one case: its reads are audited under this reference. */
const QUEUE_CASE = 'SKA-CONTEST-QUEUE';

export default function CaseworkerDesk() {
  const { session, state, secondsLeft, extend, signOut, signInAgain } = useSessionLifecycle('caseworker');
  const client = useMemo(() => (session ? makeClient({ token: session.token, purpose: CONTEST_PURPOSE, caseRef: QUEUE_CASE }) : undefined), [session]);
  if (state === 'expired') {
    return (
      <Frame title="Caseworker desk" documentTitle="Signed out – Caseworker desk">
        <SignedOut onSignInAgain={signInAgain} />
      </Frame>
    );
  }
  if (!session || !client) {
    return (
      <Frame title="Caseworker desk" documentTitle="Sign in – Caseworker desk">
        <SignIn
          heading="Caseworker desk"
          intro="For Social Insurance Board caseworkers: contests of proactive offers and automatic grants, waiting for a person to decide them."
          client={CASEWORKER_CLIENT}
          app="caseworker"
        />
      </Frame>
    );
  }
  return (
    <ApolloProvider client={client}>
      {state === 'ending' && <SessionEnding secondsLeft={secondsLeft} onExtend={extend} />}
      <Frame title="Caseworker desk" documentTitle="Contests – Caseworker desk" user={session.name} onSignOut={signOut} wide>
        <h1>Contests</h1>
        <Queue />
      </Frame>
    </ApolloProvider>
  );
}

const QUERY = gql(CONTEST_QUEUE);

function Queue() {
  const [status, setStatus] = useState<'QUEUED' | 'RESOLVED'>('QUEUED');
  const result = useQuery(QUERY, { variables: { status } });
  const contests = dataOf<{ contestQueue: Contest[] }>(result)?.contestQueue;
  return (
    <Section title={status === 'QUEUED' ? 'Waiting for a decision' : 'Decided'} className="wide contests">
      <div role="group" aria-label="Which contests" className="tabs">
        <button type="button" aria-pressed={status === 'QUEUED'} onClick={() => setStatus('QUEUED')}>Waiting</button>{' '}
        <button type="button" aria-pressed={status === 'RESOLVED'} onClick={() => setStatus('RESOLVED')}>Decided</button>
      </div>
      <Problems problems={describeErrors(result.error)} title="The contests could not be loaded" />
      {result.loading && !contests && <Loading what="the contests" />}
      {contests && contests.length === 0 && <p className="muted">{status === 'QUEUED' ? 'No contest is waiting.' : 'No contest has been decided yet.'}</p>}
      <ul className="contest-list">
        {/* A decided contest stays in view with its decision until the list is shown again (cache-and-network refreshes it). */}
        {contests?.map((c) => <ContestItem key={c.id} contest={c} />)}
      </ul>
    </Section>
  );
}

function ContestItem({ contest: c }: { contest: Contest }) {
  const client = useApolloClient();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Contest['decision']>(null);
  const [missing, setMissing] = useState(false);
  const who = c.citizen ? `${fullName(c.citizen)} (${c.citizen.id})` : 'unknown person';
  const decide = async (e: FormEvent, outcome: 'uphold' | 'reject') => {
    e.preventDefault();
    setMissing(outcome === 'reject' && !text.trim());
    if (outcome === 'reject' && !text.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await client.mutate({
        mutation: gql(outcome === 'uphold' ? UPHOLD_CONTEST : REJECT_CONTEST),
        variables: (outcome === 'uphold' ? { id: c.id, note: text.trim() || null } : { id: c.id, reason: text.trim() }) as Record<string, unknown>,
        // The decision is made in this contest's case.
        context: { headers: { 'x-case-ref': c.reference } },
      });
      if (result.error) setError(result.error);
      const decided = dataOf<Record<string, { decision: Contest['decision'] }>>(result);
      const decision = decided?.upholdContest?.decision ?? decided?.rejectContest?.decision ?? null;
      if (decision) setDone(decision);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const decision = done ?? c.decision;
  const headingId = `contest-${c.id}`;
  return (
    <li className="contest" aria-labelledby={headingId} data-contest={c.id}>
      <h3 id={headingId}>
        {c.offer?.programme.name ?? 'Offer'}: {who}
      </h3>
      <p className="muted small-text">
        Contest {c.reference}, received {c.contestedOn}. Offer {c.offer?.id}: {c.offer?.status.toLowerCase().replace('_', ' ')}
        {c.offer?.amount != null && `, ${c.offer.amount} €`}
        {c.offer?.child && `, for child ${c.offer.child}`}.
      </p>
      <blockquote className="reason">{c.reason}</blockquote>
      {c.offer && (
        <details>
          <summary>The facts the offer rests on</summary>
          <ul className="facts">
            {c.offer.explanation.facts.map((f, i) => (
              <li key={i}>
                {f.value} <span className="muted small-text">({f.agency}: {f.field})</span>
              </li>
            ))}
          </ul>
          <p className="source">{c.offer.explanation.legalSource}{c.offer.explanation.automatic ? ' (granted by law)' : ''}</p>
        </details>
      )}
      <Problems problems={describeErrors(error)} title="The decision was not saved" />
      {decision ? (
        <p className="decision" role="status" tabIndex={-1}>
          {decision.outcome === 'UPHELD' ? 'Upheld' : 'Rejected'} on {decision.decidedOn} by {decision.decidedBy}
          {decision.reason ? `: ${decision.reason}` : ''}. Reference {decision.reference}.
        </p>
      ) : (
        <form className="decide" onSubmit={(e) => void decide(e, 'uphold')}>
          <label htmlFor={`reason-${c.id}`}>Reason or note (the person reads it; required to reject)</label>
          <textarea id={`reason-${c.id}`} value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={2000} aria-invalid={missing} aria-describedby={missing ? `missing-${c.id}` : undefined} />
          {missing && (
            <p id={`missing-${c.id}`} className="field-error" role="alert">
              Give the person a reason for rejecting the contest.
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={busy}>Uphold</button>{' '}
            <button type="button" className="secondary" disabled={busy} onClick={(e) => void decide(e, 'reject')}>Reject</button>
          </div>
        </form>
      )}
    </li>
  );
}
