/** The secure inbox: letters from the agencies (offers made, benefits granted). */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { describeErrors, isNotInSchema } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { Loading, Problems, Section, date } from '../../shared/ui.tsx';

export const INBOX = gql`
  query PortalInbox {
    me {
      id
      inbox {
        id
        subject
        body
        receivedOn
        read
        offerId
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
  subject: string;
  body: string;
  receivedOn: string;
  read: boolean;
  offerId: string | null;
}

export function InboxPanel() {
  const result = useQuery(INBOX);
  const { loading, error } = result;
  const data = dataOf<{ me: { id: string; inbox: Message[] | null } | null }>(result);
  const problems = describeErrors(error);
  const messages = data?.me?.inbox ?? [];
  // Opening a message marks it read (the cache updates the message by id).
  const [markRead] = useMutation(MARK_READ);
  return (
    <Section title="Inbox" className="inbox">
      {isNotInSchema(problems) ? <p className="muted">The inbox is not available on this gateway yet.</p> : <Problems problems={problems} title="Your inbox could not be loaded" />}
      {loading && !data && <Loading what="your inbox" />}
      {data?.me && messages.length === 0 && <p className="muted">No messages.</p>}
      <ul className="messages">
        {messages.map((m) => (
          <li key={m.id} className={m.read ? 'read' : 'unread'}>
            <details
              onToggle={(e) => {
                if ((e.target as HTMLDetailsElement).open && !m.read) void markRead({ variables: { id: m.id } });
              }}
            >
              <summary>
                {!m.read && <span className="badge">new</span>} <strong>{m.subject}</strong>{' '}
                <time className="muted" dateTime={m.receivedOn}>
                  {date(m.receivedOn)}
                </time>
              </summary>
              <p className="message-body">{m.body}</p>
            </details>
          </li>
        ))}
      </ul>
    </Section>
  );
}
