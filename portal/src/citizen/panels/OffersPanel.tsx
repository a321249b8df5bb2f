/**
 * Proactive offers: benefits the board found the citizen entitled to without
 * an application, with the facts and rule behind each finding, and what the
 * citizen can do: accept, decline, or contest the finding (a person reviews it).
 * Also the preference to receive no proactive offers at all.
 */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { describeErrors, isNotInSchema } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { Loading, Problems, Section, date, humanize, money } from '../../shared/ui.tsx';

export const OFFERS = gql`
  query PortalOffers {
    me {
      id
      proactiveOffers {
        id
        status
        amount
        offeredOn
        decidedOn
        objectionDeadline
        programme {
          code
          name
          kind
          description
        }
        explanation {
          rule
          legalSource
          automatic
          facts {
            agency
            field
            value
          }
        }
      }
      proactivePreference {
        optOut
      }
    }
  }
`;

const ACCEPT = gql`
  mutation PortalAcceptOffer($id: ID!) {
    acceptOffer(id: $id) {
      id
      status
    }
  }
`;
const DECLINE = gql`
  mutation PortalDeclineOffer($id: ID!) {
    declineOffer(id: $id) {
      id
      status
    }
  }
`;
const CONTEST = gql`
  mutation PortalContestOffer($id: ID!, $reason: String!) {
    contestOffer(id: $id, reason: $reason) {
      id
      offerId
      status
    }
  }
`;
const SET_PREFERENCE = gql`
  mutation PortalSetProactivePreference($optOut: Boolean!) {
    setProactivePreference(optOut: $optOut) {
      optOut
    }
  }
`;

interface Offer {
  id: string;
  status: 'PROPOSED' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'GRANTED_AUTOMATICALLY' | 'OBJECTED';
  amount: number | null;
  offeredOn: string;
  decidedOn: string | null;
  objectionDeadline: string | null;
  programme: { code: string; name: string; kind: string; description: string };
  explanation: { rule: string; legalSource: string; automatic: boolean; facts: { agency: string; field: string; value: string }[] };
}

interface Data {
  me: { id: string; proactiveOffers: Offer[] | null; proactivePreference: { optOut: boolean } | null } | null;
}

/** After a decision the enrolments (benefits panel) and the inbox change too. */
const REFETCH = ['PortalOffers', 'PortalMe', 'PortalInbox'];

export function OffersPanel() {
  const result = useQuery(OFFERS);
  const { loading, error } = result;
  const data = dataOf<Data>(result);
  const problems = describeErrors(error);
  const offers = data?.me?.proactiveOffers ?? [];
  const today = new Date().toISOString().slice(0, 10);
  // Open: a proposal to decide on, or an automatic grant still within its objection period.
  const open = offers.filter((o) => o.status === 'PROPOSED' || (o.status === 'GRANTED_AUTOMATICALLY' && (!o.objectionDeadline || o.objectionDeadline >= today)));
  const decided = offers.filter((o) => !open.includes(o));
  return (
    <Section title="Offers for you" className="offers wide">
      <p className="source">Benefits the Social Insurance Board found you entitled to, without an application. You decide.</p>
      {isNotInSchema(problems) ? (
        <p className="muted">Proactive offers are not available on this gateway yet.</p>
      ) : (
        <Problems problems={problems} title="Your offers could not be loaded" />
      )}
      {loading && !data && <Loading what="your offers" />}
      {data?.me && open.length === 0 && <p className="muted">No open offers right now.</p>}
      <ul className="offer-list">
        {open.map((o) => (
          <OfferCard key={o.id} offer={o} />
        ))}
      </ul>
      {decided.length > 0 && (
        <details>
          <summary>Earlier offers ({decided.length})</summary>
          <ul className="plain">
            {decided.map((o) => (
              <li key={o.id} data-programme={o.programme.code} data-status={o.status}>
                {o.programme.name}: <span className="badge">{humanize(o.status)}</span>
                {o.decidedOn && <span className="muted"> on {date(o.decidedOn)}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {data?.me && <PreferenceToggle optOut={data.me.proactivePreference?.optOut ?? false} />}
    </Section>
  );
}

function OfferCard({ offer: o }: { offer: Offer }) {
  const headingId = useId();
  const [contesting, setContesting] = useState(false);
  const [reason, setReason] = useState('');
  const options = { refetchQueries: REFETCH, awaitRefetchQueries: true };
  const [accept, accepting] = useMutation(ACCEPT, options);
  const [decline, declining] = useMutation(DECLINE, options);
  const [contest, contestingState] = useMutation(CONTEST, options);
  const contested = dataOf<{ contestOffer: { id: string; status: string } }>(contestingState)?.contestOffer;
  const busy = accepting.loading || declining.loading || contestingState.loading;
  const problems = [...describeErrors(accepting.error), ...describeErrors(declining.error), ...describeErrors(contestingState.error)];
  return (
    <li className="offer" aria-labelledby={headingId} data-programme={o.programme.code} data-status={o.status}>
      <h3 id={headingId}>
        {o.programme.name}
        {o.amount !== null && (
          <span className="amount">
            {' '}
            {money(o.amount)}
            {o.programme.kind === 'MONTHLY' ? ' a month' : ''}
          </span>
        )}
      </h3>
      <p className="muted small-text">
        {o.status === 'GRANTED_AUTOMATICALLY' ? `Granted automatically on ${date(o.offeredOn)}` : `Offered on ${date(o.offeredOn)}`}. {o.programme.description}
      </p>
      <div className="explanation">
        <p className="why">
          <strong>Why you are offered this</strong> — the facts the finding rests on:
        </p>
        <ul>
          {o.explanation.facts.map((f) => (
            <li key={`${f.agency}-${f.field}-${f.value}`}>
              {f.value}{' '}
              <span className="muted">
                ({f.agency}: {f.field})
              </span>
            </li>
          ))}
        </ul>
        <p className="muted small-text">
          Rule <code>{o.explanation.rule}</code>{o.explanation.automatic ? ' (granted by law)' : ''}. Legal source: {o.explanation.legalSource}.{o.objectionDeadline && ` You may object until ${date(o.objectionDeadline)}.`}
        </p>
      </div>
      <Problems problems={problems} title="Your decision was not saved" />
      <div className="actions" role="group" aria-label={`Your decision on ${o.programme.name}`}>
        {o.status === 'PROPOSED' && (
          <>
            <button type="button" onClick={() => void accept({ variables: { id: o.id } })} disabled={busy}>
              Accept
            </button>
            <button type="button" className="secondary" onClick={() => void decline({ variables: { id: o.id } })} disabled={busy}>
              Decline
            </button>
          </>
        )}
        {o.status === 'GRANTED_AUTOMATICALLY' && (
          <button type="button" className="secondary" onClick={() => void decline({ variables: { id: o.id } })} disabled={busy}>
            Object to this grant
          </button>
        )}
        <button type="button" className="secondary" onClick={() => setContesting((v) => !v)} aria-expanded={contesting} disabled={busy}>
          Contest the finding
        </button>
      </div>
      {contested && (
        <p role="status" className="ok">
          Your objection was sent to a caseworker (status: {humanize(contested.status)}).
        </p>
      )}
      {contesting && !contested && (
        <form
          className="contest"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void contest({ variables: { id: o.id, reason: reason.trim() } });
          }}
        >
          <label htmlFor={`reason-${o.id}`}>What is wrong with the facts above?</label>
          <textarea id={`reason-${o.id}`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={2000} rows={3} />
          <button type="submit" disabled={busy || !reason.trim()}>
            Send to a caseworker
          </button>
        </form>
      )}
    </li>
  );
}

function PreferenceToggle({ optOut }: { optOut: boolean }) {
  const [setPreference, { loading, error }] = useMutation(SET_PREFERENCE, { refetchQueries: ['PortalOffers'] });
  return (
    <div className="preference">
      <div className="inline-field">
        <input id="opt-out" type="checkbox" checked={optOut} disabled={loading} onChange={(e) => void setPreference({ variables: { optOut: e.target.checked } })} />
        <label htmlFor="opt-out">Do not look for benefits for me (no proactive offers)</label>
      </div>
      <p className="muted small-text">Benefits the law grants automatically are still granted.</p>
      <Problems problems={describeErrors(error)} title="Your preference was not saved" />
    </div>
  );
}
