/**
 * Citizens' questions about reads of their data ("ask about this read" in the
 * portal's tracker), for the data protection officer: unanswered first, each
 * with the audit record it is about, and an answer form. An answer is given
 * once (the transparency agency keeps questions and answers append-only).
 */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { useTranslation } from '../i18n/index.ts';
import { describeErrors } from '../shared/errors.ts';
import { dataOf } from '../shared/graphql.ts';
import { fullName, Loading, Problems, Section, useFocusOnShow, useFormats } from '../shared/ui.tsx';

const INQUIRIES = gql`
  query ConsoleReadInquiries {
    readInquiries(first: 50) {
      id
      question
      askedAt
      answer
      answeredAt
      citizen {
        id
        givenName
        familyName
      }
      entry {
        seq
        at
        client
        purpose
        caseReference
        subjects {
          citizen {
            id
          }
          fields
        }
      }
    }
  }
`;
const ANSWER = gql`
  mutation ConsoleAnswerReadInquiry($id: ID!, $answer: String!) {
    answerReadInquiry(id: $id, answer: $answer) {
      id
      answer
      answeredAt
    }
  }
`;

interface Inquiry {
  id: string;
  question: string;
  askedAt: string;
  answer: string | null;
  answeredAt: string | null;
  citizen: { id: string; givenName: string | null; familyName: string | null };
  entry: { seq: string; at: string; client: string; purpose: string; caseReference: string | null; subjects: { citizen: { id: string }; fields: string[] }[] } | null;
}

// Listing every citizen's questions reaches anyone: the gateway wants a case; the questions are it.
const LIST_CASE = 'read-inquiries';

export function ReadInquiries() {
  const { t } = useTranslation();
  const result = useQuery(INQUIRIES, { fetchPolicy: 'network-only', context: { headers: { 'x-case-ref': LIST_CASE } } });
  const list = dataOf<{ readInquiries: Inquiry[] }>(result)?.readInquiries;
  const open = list?.filter((q) => !q.answer) ?? [];
  const answered = list?.filter((q) => q.answer) ?? [];
  return (
    <Section
      title={t('console.inquiries.title')}
      className="wide inquiries"
      actions={
        <button type="button" className="secondary small" onClick={() => void result.refetch()}>
          {t('console.inquiries.refresh')}
        </button>
      }
    >
      <p className="source">{t('console.inquiries.intro')}</p>
      <Problems problems={describeErrors(result.error)} title={t('console.inquiries.loadFailed')} />
      {result.loading && !list && <Loading what={t('console.inquiries.loading')} />}
      {list && list.length === 0 && <p className="muted">{t('console.inquiries.none')}</p>}
      {open.length > 0 && (
        <>
          <h3>{t('console.inquiries.open')}</h3>
          <ol className="inquiry-list">
            {open.map((q) => (
              <InquiryItem key={q.id} inquiry={q} />
            ))}
          </ol>
        </>
      )}
      {answered.length > 0 && (
        <>
          <h3>{t('console.inquiries.answered')}</h3>
          <ol className="inquiry-list">
            {answered.map((q) => (
              <InquiryItem key={q.id} inquiry={q} />
            ))}
          </ol>
        </>
      )}
    </Section>
  );
}

function InquiryItem({ inquiry: q }: { inquiry: Inquiry }) {
  const { t } = useTranslation();
  const { dateTime } = useFormats();
  const field = useId();
  const [text, setText] = useState('');
  const [answer, answering] = useMutation(ANSWER, { refetchQueries: ['ConsoleReadInquiries'] });
  const [sent, setSent] = useState(false);
  const confirmation = useFocusOnShow<HTMLParagraphElement>(sent);
  const name = fullName(q.citizen);
  const fields = q.entry?.subjects.find((s) => s.citizen.id === q.citizen.id)?.fields ?? [];
  return (
    <li data-inquiry={q.id} className={q.answer ? 'answered' : 'open'}>
      <p>
        <strong>{t('console.inquiries.asked', { date: dateTime(q.askedAt), name })}</strong> <code>{q.citizen.id}</code>
      </p>
      {q.entry && (
        <p className="small-text">
          {t('console.inquiries.read', { date: dateTime(q.entry.at), client: t(`messages:client.${q.entry.client}`, { defaultValue: q.entry.client }), purpose: q.entry.purpose })}
          {q.entry.caseReference && <> · {t('console.inquiries.case', { reference: q.entry.caseReference })}</>} · <code>#{q.entry.seq}</code>
          {fields.length > 0 && (
            <>
              <br />
              <span className="muted">{fields.join(', ')}</span>
            </>
          )}
        </p>
      )}
      <blockquote>
        <span className="visually-hidden">{t('console.inquiries.question')} </span>
        {q.question}
      </blockquote>
      {q.answer ? (
        <p className="answer">
          <strong>{t('console.inquiries.answer', { date: dateTime(q.answeredAt ?? q.askedAt) })}</strong> {q.answer}
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const value = text.trim();
            if (!value) return;
            void answer({ variables: { id: q.id, answer: value }, context: { headers: { 'x-case-ref': `inquiry:${q.id}` } } }).then((r) => r.data && setSent(true));
          }}
        >
          <label htmlFor={field}>{t('console.inquiries.answerLabel', { name })}</label>
          <textarea id={field} rows={3} maxLength={4000} required value={text} onChange={(e) => setText(e.target.value)} />
          <Problems problems={describeErrors(answering.error)} title={t('console.inquiries.notSent')} />
          <button type="submit" className="small" disabled={answering.loading || !text.trim()}>
            {t('console.inquiries.send')}
          </button>
        </form>
      )}
      {sent && (
        <p className="ok" role="status" tabIndex={-1} ref={confirmation}>
          {t('console.inquiries.sent')}
        </p>
      )}
    </li>
  );
}
