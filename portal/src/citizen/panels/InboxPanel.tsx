/** The secure inbox: letters and receipts from the agencies, in the reader's language, each with its verified sender. */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors, isNotInSchema, unavailableAgencies } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { verifySender, type Verified } from '../../shared/senders.ts';
import { useSpeak } from '../../shared/speak.tsx';
import { Loading, Problems, Section, Unavailable, useFormats } from '../../shared/ui.tsx';

export const INBOX = gql`
  query PortalInbox {
    me {
      id
      inbox {
        id
        message {
          key
          params
        }
        receivedOn
        read
        offerId
        reference
        sender
        signature
        sentByPostOn
        emailedOn
      }
    }
  }
`;

const MARK_READ = gql`
  mutation PortalMarkInboxMessageRead($id: ID!) {
    markInboxMessageRead(id: $id) {
      id
      read
    }
  }
`;

interface Message {
  id: string;
  message: { key: string; params: Record<string, unknown> };
  receivedOn: string;
  read: boolean;
  offerId: string | null;
  reference: string | null;
  sender: string;
  signature: string | null;
  sentByPostOn?: string | null;
  emailedOn?: string | null;
}

export function InboxPanel() {
  const { t } = useTranslation();
  const result = useQuery(INBOX);
  const data = dataOf<{ me: { id: string; inbox: Message[] | null } | null }>(result);
  const problems = describeErrors(result.error);
  const unavailable = unavailableAgencies(problems);
  const messages = data?.me?.inbox ?? [];
  return (
    <Section title={t('inbox.title')} className="inbox">
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : isNotInSchema(problems) ? (
        <p className="muted">{t('inbox.notAvailable')}</p>
      ) : (
        <Problems problems={problems} title={t('inbox.loadFailed')} />
      )}
      {result.loading && !data && <Loading what={t('inbox.loading')} />}
      {data?.me?.inbox && messages.length === 0 && <p className="muted">{t('inbox.none')}</p>}
      <ul className="messages">
        {messages.map((m) => (
          <InboxMessage key={m.id} message={m} />
        ))}
      </ul>
    </Section>
  );
}

function InboxMessage({ message: m }: { message: Message }) {
  const { t } = useTranslation();
  const { date } = useFormats();
  const speak = useSpeak();
  const [sender, setSender] = useState<Verified | null>();
  // Opening a message marks it read (the cache updates the message by id).
  const [markRead] = useMutation(MARK_READ);
  useEffect(() => {
    let live = true;
    void verifySender(m.signature, { id: m.id, key: m.message.key, params: m.message.params }).then((v) => live && setSender(v));
    return () => {
      live = false;
    };
  }, [m.id, m.signature, m.message]);
  const params = { ...m.message.params, reference: m.reference ?? '' };
  return (
    <li className={m.read ? 'read' : 'unread'} data-key={m.message.key} data-verified={sender ? 'true' : sender === null ? 'false' : 'pending'}>
      <details
        onToggle={(e) => {
          if ((e.target as HTMLDetailsElement).open && !m.read) void markRead({ variables: { id: m.id } });
        }}
      >
        <summary>
          {!m.read && <span className="badge">{t('inbox.new')}</span>} <strong>{speak({ key: m.message.key, params }, 'subject')}</strong>{' '}
          <time className="muted" dateTime={m.receivedOn}>
            {date(m.receivedOn)}
          </time>
        </summary>
        <p className="message-body">{speak({ key: m.message.key, params }, 'body')}</p>
        {(m.sentByPostOn || m.emailedOn) && (
          <p className="delivered small-text muted">
            {[m.emailedOn && t('inbox.emailed', { date: date(m.emailedOn) }), m.sentByPostOn && t('inbox.sentByPost', { date: date(m.sentByPostOn) })].filter(Boolean).join(' ')}
          </p>
        )}
        <p className={`sender small-text ${sender ? 'ok' : 'muted'}`}>
          {sender === undefined
            ? t('inbox.verifying')
            : sender
              ? t('inbox.verified', { agency: t(`messages:agency.${sender.agency}`) })
              : t('inbox.notVerified', { agency: t(`messages:agency.${m.sender}`, { defaultValue: m.sender }) })}
        </p>
      </details>
    </li>
  );
}
