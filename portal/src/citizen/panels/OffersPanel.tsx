/**
 * Proactive offers: benefits the board found the citizen entitled to without
 * an application, each with the facts it rests on in plain words, the law,
 * what is paid (the new total and the change) and what happens next. The
 * citizen accepts, declines (after a confirmation stating the consequence) or
 * contests the finding; every decision ends in a confirmation with its
 * reference number, focused, and a receipt in the inbox. Also the preference
 * to receive no new proposals: open offers stay open, and are withdrawn one by one.
 */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { useTranslation } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../shared/ConfirmDialog.tsx';
import { describeErrors, isNotInSchema, unavailableAgencies } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { useSpeak, type ServerMessage } from '../../shared/speak.tsx';
import { Loading, Problems, Section, Unavailable, useFocusOnShow, useFormats } from '../../shared/ui.tsx';

const MESSAGE = 'key params';

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
        reference
        programme {
          code
          kind
        }
        explanation {
          automatic
          facts {
            agency
            message { ${MESSAGE} }
          }
          law { ${MESSAGE} }
          amount { ${MESSAGE} }
          nextSteps { ${MESSAGE} }
        }
      }
      proactivePreference {
        optOut
      }
    }
  }
`;

const DECISION = 'id status reference';
const ACCEPT = gql`mutation PortalAcceptOffer($id: ID!) { acceptOffer(id: $id) { ${DECISION} } }`;
const DECLINE = gql`mutation PortalDeclineOffer($id: ID!) { declineOffer(id: $id) { ${DECISION} } }`;
const WITHDRAW = gql`mutation PortalWithdrawOffer($id: ID!) { withdrawOffer(id: $id) { ${DECISION} } }`;
const CONTEST = gql`mutation PortalContestOffer($id: ID!, $reason: String!) { contestOffer(id: $id, reason: $reason) { id offerId status reference } }`;
const SET_PREFERENCE = gql`mutation PortalSetProactivePreference($optOut: Boolean!) { setProactivePreference(optOut: $optOut) { optOut reference } }`;

type Status = 'PROPOSED' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'GRANTED_AUTOMATICALLY' | 'OBJECTED' | 'WITHDRAWN';

interface Offer {
  id: string;
  status: Status;
  amount: number | null;
  offeredOn: string;
  decidedOn: string | null;
  objectionDeadline: string | null;
  reference: string | null;
  programme: { code: string; kind: 'MONTHLY' | 'ONE_OFF' };
  explanation: { automatic: boolean; facts: { agency: string; message: ServerMessage | null }[]; law: ServerMessage; amount: ServerMessage | null; nextSteps: ServerMessage[] };
}

interface Data {
  me: { id: string; proactiveOffers: Offer[] | null; proactivePreference: { optOut: boolean } | null } | null;
}

/** What the person just did, as the confirmation says it. */
export interface Confirmation {
  kind: 'accepted' | 'declined' | 'objected' | 'withdrawn' | 'contested' | 'optedOut' | 'optedIn';
  programme?: string;
  reference: string | null;
}

/** After a decision the benefits and the inbox change too. */
const REFETCH = ['PortalOffers', 'PortalBenefitsMe', 'PortalInbox'];

export function OffersPanel() {
  const { t } = useTranslation();
  const { date } = useFormats();
  const result = useQuery(OFFERS);
  const data = dataOf<Data>(result);
  const problems = describeErrors(result.error);
  const unavailable = unavailableAgencies(problems);
  const [confirmation, setConfirmation] = useState<Confirmation>();
  const offers = data?.me?.proactiveOffers ?? [];
  const optOut = data?.me?.proactivePreference?.optOut ?? false;
  const today = new Date().toISOString().slice(0, 10);
  // Open: a proposal to decide on, or an automatic grant still within its objection period.
  const open = offers.filter((o) => o.status === 'PROPOSED' || (o.status === 'GRANTED_AUTOMATICALLY' && (!o.objectionDeadline || o.objectionDeadline >= today)));
  const decided = offers.filter((o) => !open.includes(o));
  const name = (code: string) => t(`messages:programme.${code}.name`, { defaultValue: code });
  return (
    <Section title={t('offers.title')} className="offers wide" source={t('offers.source')}>
      <DecisionConfirmation confirmation={confirmation} />
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : isNotInSchema(problems) ? (
        <p className="muted">{t('offers.notAvailable')}</p>
      ) : (
        <Problems problems={problems} title={t('offers.loadFailed')} />
      )}
      {result.loading && !data && <Loading what={t('offers.loading')} />}
      {data?.me && optOut && <p className="note">{t('offers.optedOutNote')}</p>}
      {data?.me && open.length === 0 && <p className="muted">{t('offers.noneOpen')}</p>}
      <ul className="offer-list">
        {open.map((o) => (
          <OfferCard key={o.id} offer={o} optedOut={optOut} onDecided={setConfirmation} />
        ))}
      </ul>
      {decided.length > 0 && (
        <details>
          <summary>{t('offers.earlier', { count: decided.length })}</summary>
          <ul className="plain">
            {decided.map((o) => (
              <li key={o.id} data-programme={o.programme.code} data-status={o.status}>
                {name(o.programme.code)}: <span className="badge">{t(`offerStatus.${o.status}`)}</span>
                {o.decidedOn && <span className="muted"> {date(o.decidedOn)}</span>}
                {o.reference && <span className="muted"> · {t('offers.reference', { reference: o.reference })}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {data?.me && <PreferenceToggle optOut={optOut} onChanged={setConfirmation} />}
    </Section>
  );
}

function DecisionConfirmation({ confirmation }: { confirmation: Confirmation | undefined }) {
  const { t } = useTranslation();
  const ref = useFocusOnShow<HTMLDivElement>(confirmation);
  if (!confirmation) return <div aria-live="polite" />;
  const programme = confirmation.programme ? t(`messages:programme.${confirmation.programme}.name`) : '';
  return (
    <div ref={ref} tabIndex={-1} className="confirmation" role="status" data-kind={confirmation.kind}>
      <h3>{t(`confirmation.${confirmation.kind}`, { programme })}</h3>
      {confirmation.reference && (
        <p>
          {t('confirmation.reference')} <strong className="reference">{confirmation.reference}</strong>
        </p>
      )}
      <p>{t('confirmation.receipt')}</p>
    </div>
  );
}

function OfferCard({ offer: o, optedOut, onDecided }: { offer: Offer; optedOut: boolean; onDecided: (c: Confirmation) => void }) {
  const { t } = useTranslation();
  const { date } = useFormats();
  const speak = useSpeak();
  const headingId = useId();
  const [asking, setAsking] = useState<'decline' | 'object' | 'withdraw'>();
  const [contesting, setContesting] = useState(false);
  const [reason, setReason] = useState('');
  const options = { refetchQueries: REFETCH, awaitRefetchQueries: true };
  const [accept, accepting] = useMutation(ACCEPT, options);
  const [decline, declining] = useMutation(DECLINE, options);
  const [withdraw, withdrawing] = useMutation(WITHDRAW, options);
  const [contest, contestingState] = useMutation(CONTEST, options);
  const busy = accepting.loading || declining.loading || withdrawing.loading || contestingState.loading;
  const problems = [accepting.error, declining.error, withdrawing.error, contestingState.error].flatMap(describeErrors);
  const name = t(`messages:programme.${o.programme.code}.name`, { defaultValue: o.programme.code });

  async function decide(kind: 'accepted' | 'declined' | 'objected' | 'withdrawn') {
    setAsking(undefined);
    const run = kind === 'accepted' ? accept : kind === 'withdrawn' ? withdraw : decline;
    const result = await run({ variables: { id: o.id } });
    const decided = (result.data as Record<string, { reference: string | null }> | undefined)?.[kind === 'accepted' ? 'acceptOffer' : kind === 'withdrawn' ? 'withdrawOffer' : 'declineOffer'];
    if (decided) onDecided({ kind, programme: o.programme.code, reference: decided.reference });
  }
  async function sendContest() {
    const result = await contest({ variables: { id: o.id, reason: reason.trim() } });
    const contested = (result.data as { contestOffer?: { reference: string } } | undefined)?.contestOffer;
    if (contested) {
      setContesting(false);
      onDecided({ kind: 'contested', programme: o.programme.code, reference: contested.reference });
    }
  }

  const facts = o.explanation.facts.filter((f) => f.message);
  const amount = o.explanation.amount ? speak(o.explanation.amount) : null;
  return (
    <li className="offer" aria-labelledby={headingId} data-programme={o.programme.code} data-status={o.status}>
      <h3 id={headingId}>
        {name}
        {amount && <span className="amount"> · {amount}</span>}
      </h3>
      <p className="muted small-text">
        {o.status === 'GRANTED_AUTOMATICALLY' ? t('offers.grantedOn', { date: date(o.offeredOn) }) : t('offers.offeredOn', { date: date(o.offeredOn) })}{' '}
        {t(`messages:programme.${o.programme.code}.description`, { defaultValue: '' })}
      </p>
      <div className="explanation">
        <h4>{t('offers.why')}</h4>
        <ul className="facts-list">
          {facts.map((f, i) => (
            <li key={i}>
              {speak(f.message!)} <span className="muted small-text">({t('offers.from', { agency: t(`messages:agency.${f.agency}`) })})</span>
            </li>
          ))}
        </ul>
        <h4>{t('offers.next')}</h4>
        <ul className="next-steps">
          {o.explanation.nextSteps.map((m, i) => (
            <li key={i}>{speak(m)}</li>
          ))}
        </ul>
        <p className="law small-text">
          <strong>{t('offers.law')}</strong> {speak(o.explanation.law)}
        </p>
      </div>
      <Problems problems={problems} title={t('offers.notSaved')} />
      <div className="actions" role="group" aria-label={t('offers.decisionOn', { programme: name })}>
        {o.status === 'PROPOSED' && (
          <>
            <button type="button" onClick={() => void decide('accepted')} disabled={busy}>
              {t('offers.accept')}
            </button>
            <button type="button" className="secondary" onClick={() => setAsking('decline')} disabled={busy}>
              {t('offers.decline')}
            </button>
            {optedOut && (
              <button type="button" className="secondary" onClick={() => setAsking('withdraw')} disabled={busy}>
                {t('offers.withdraw')}
              </button>
            )}
          </>
        )}
        {o.status === 'GRANTED_AUTOMATICALLY' && (
          <button type="button" className="secondary" onClick={() => setAsking('object')} disabled={busy}>
            {t('offers.object')}
          </button>
        )}
        <button type="button" className="secondary" onClick={() => setContesting((v) => !v)} aria-expanded={contesting} disabled={busy}>
          {t('offers.contest')}
        </button>
      </div>
      {contesting && (
        <form
          className="contest"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void sendContest();
          }}
        >
          <label htmlFor={`reason-${o.id}`}>{t('offers.contestQuestion')}</label>
          <textarea id={`reason-${o.id}`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={2000} rows={3} />
          <button type="submit" disabled={busy || !reason.trim()}>
            {t('offers.contestSend')}
          </button>
        </form>
      )}
      <ConfirmDialog
        open={asking === 'decline'}
        title={t('offers.confirmDecline.title', { programme: name })}
        confirmLabel={t('offers.confirmDecline.confirm')}
        onConfirm={() => void decide('declined')}
        onCancel={() => setAsking(undefined)}
      >
        <p>{amount ? t('offers.confirmDecline.bodyAmount', { amount }) : t('offers.confirmDecline.body')}</p>
        <p>{t('offers.confirmDecline.later')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'object'}
        title={t('offers.confirmObject.title', { programme: name })}
        confirmLabel={t('offers.confirmObject.confirm')}
        onConfirm={() => void decide('objected')}
        onCancel={() => setAsking(undefined)}
      >
        <p>{amount ? t('offers.confirmObject.bodyAmount', { amount }) : t('offers.confirmObject.body')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'withdraw'}
        title={t('offers.confirmWithdraw.title', { programme: name })}
        confirmLabel={t('offers.confirmWithdraw.confirm')}
        onConfirm={() => void decide('withdrawn')}
        onCancel={() => setAsking(undefined)}
      >
        <p>{t('offers.confirmWithdraw.body')}</p>
      </ConfirmDialog>
    </li>
  );
}

function PreferenceToggle({ optOut, onChanged }: { optOut: boolean; onChanged: (c: Confirmation) => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [setPreference, { loading, error }] = useMutation(SET_PREFERENCE, { refetchQueries: ['PortalOffers', 'PortalInbox'], awaitRefetchQueries: true });
  async function change(next: boolean) {
    setAsking(false);
    const result = await setPreference({ variables: { optOut: next } });
    const saved = (result.data as { setProactivePreference?: { reference: string | null } } | undefined)?.setProactivePreference;
    if (saved) onChanged({ kind: next ? 'optedOut' : 'optedIn', reference: saved.reference });
  }
  return (
    <div className="preference">
      <h3>{t('offers.preference.title')}</h3>
      <p>{optOut ? t('offers.preference.off') : t('offers.preference.on')}</p>
      {optOut ? (
        <button type="button" className="secondary" disabled={loading} onClick={() => void change(false)}>
          {t('offers.preference.turnOn')}
        </button>
      ) : (
        <button type="button" className="secondary" disabled={loading} onClick={() => setAsking(true)}>
          {t('offers.preference.turnOff')}
        </button>
      )}
      <p className="muted small-text">{t('offers.preference.lawStill')}</p>
      <Problems problems={describeErrors(error)} title={t('offers.preference.notSaved')} />
      <ConfirmDialog open={asking} title={t('offers.preference.confirm.title')} confirmLabel={t('offers.preference.confirm.confirm')} onConfirm={() => void change(true)} onCancel={() => setAsking(false)}>
        <p>{t('offers.preference.confirm.body')}</p>
        <p>{t('offers.preference.confirm.open')}</p>
      </ConfirmDialog>
    </div>
  );
}
