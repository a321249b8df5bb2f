/**
 * "Ask about this read": from an entry of the data tracker, the citizen (or a
 * parent, for their child's tracker) sends a question to the data protection
 * officer, who answers it in the privacy console; the question and its answer
 * are shown under the entry. Stored by the transparency agency (askAboutRead).
 */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors } from '../../shared/errors.ts';
import { Problems, useFocusOnShow, useFormats } from '../../shared/ui.tsx';
import { forSubject, personOf, queryFor, type Subject } from '../queries.ts';

export interface ReadInquiry {
  id: string;
  entryId: string;
  question: string;
  askedAt: string;
  answer: string | null;
  answeredAt: string | null;
}

const INQUIRIES = forSubject('PortalReadInquiries', 'readInquiries { id entryId question askedAt answer answeredAt }');
const ASK = gql`
  mutation PortalAskAboutRead($entryId: ID!, $question: String!, $about: ID) {
    askAboutRead(entryId: $entryId, question: $question, about: $about) {
      id
      entryId
      question
      askedAt
      answer
      answeredAt
    }
  }
`;
const MAX_QUESTION = 2000;

/** The questions asked about this person's tracker entries, by entry. */
export function useReadInquiries(subject: Subject) {
  const { query, variables } = queryFor(INQUIRIES, subject);
  const result = useQuery(query, { variables, fetchPolicy: 'cache-and-network' });
  const list = personOf<{ readInquiries: ReadInquiry[] | null }>(result.data)?.readInquiries ?? [];
  const byEntry = new Map<string, ReadInquiry[]>();
  for (const q of list) byEntry.set(q.entryId, [...(byEntry.get(q.entryId) ?? []), q]);
  return { byEntry, refetch: () => void result.refetch() };
}

export function AskAboutRead({ entryId, subject, inquiries, onAsked }: { entryId: string; subject: Subject; inquiries: ReadInquiry[]; onAsked: () => void }) {
  const { t } = useTranslation();
  const { dateTime } = useFormats();
  const field = useId();
  const hint = useId();
  const [open, setOpen] = useState(false);
  const [question, setQuestion] = useState('');
  const [sent, setSent] = useState<ReadInquiry>();
  const [ask, asking] = useMutation(ASK);
  const confirmation = useFocusOnShow<HTMLParagraphElement>(sent);
  const problems = describeErrors(asking.error);
  return (
    <div className="ask-about-read" data-ask={entryId}>
      {inquiries.map((q) => (
        <div key={q.id} className="read-inquiry" data-inquiry={q.id}>
          <p className="small-text">
            <strong>{t('tracker.ask.yourQuestion', { date: dateTime(q.askedAt) })}</strong> {q.question}
          </p>
          {q.answer ? (
            <p className="small-text answer">
              <strong>{t('tracker.ask.answer', { date: dateTime(q.answeredAt ?? q.askedAt) })}</strong> {q.answer}
            </p>
          ) : (
            <p className="small-text muted">{t('tracker.ask.waiting')}</p>
          )}
        </div>
      ))}
      {sent && (
        <p className="ok small-text" role="status" tabIndex={-1} ref={confirmation}>
          {t('tracker.ask.sent')}
        </p>
      )}
      {!open ? (
        <button type="button" className="secondary small" onClick={() => setOpen(true)}>
          {t('tracker.ask.open')}
        </button>
      ) : (
        <form
          className="ask-form"
          onSubmit={(e) => {
            e.preventDefault();
            const text = question.trim();
            if (!text) return;
            void ask({ variables: { entryId, question: text, about: subject.self ? undefined : subject.id } }).then((r) => {
              const data = r.data as { askAboutRead: ReadInquiry } | undefined | null;
              if (!data) return;
              setSent(data.askAboutRead);
              setQuestion('');
              setOpen(false);
              onAsked();
            });
          }}
        >
          <label htmlFor={field}>{t('tracker.ask.label')}</label>
          <p id={hint} className="muted small-text">
            {t('tracker.ask.hint')}
          </p>
          <textarea id={field} aria-describedby={hint} rows={3} maxLength={MAX_QUESTION} required value={question} onChange={(e) => setQuestion(e.target.value)} />
          <Problems problems={problems} title={t('tracker.ask.failed')} />
          <div className="buttons">
            <button type="submit" className="small" disabled={asking.loading || !question.trim()}>
              {t('tracker.ask.send')}
            </button>{' '}
            <button type="button" className="secondary small" onClick={() => setOpen(false)}>
              {t('tracker.ask.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
