/**
 * "Who read my data" (the data tracker): reads by other parties first, in
 * plain names (the institution, why, on what law, which data, from which
 * agency); the citizen's own reads grouped by day below. For a represented
 * child, the child's tracker. Each entry has room for actions on it (issue 20's
 * proof check, questions to the data protection officer).
 */
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { checkEntryProof, type EntryCheck } from '../proof-check.ts';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors, isNotInSchema, unavailableAgencies } from '../../shared/errors.ts';
import { formatList } from '../../../../platform/messages/formats.ts';
import { Loading, Problems, Section, Unavailable, useFormats } from '../../shared/ui.tsx';
import { forSubject, personOf, queryFor, type Subject } from '../queries.ts';
import { AskAboutRead, useReadInquiries } from './AskAboutRead.tsx';

const ENTRY = 'id at clientId client agencies purpose caseReference categories fields byYou archived proof consent { id validUntil }';
const OTHERS = forSubject('PortalTrackerOthers', `dataAccessLog(first: 20, excludeOwnReads: true) { entries { ${ENTRY} } hasNextPage endCursor }`);
const ALL = forSubject('PortalTrackerAll', `dataAccessLog(first: 50) { entries { ${ENTRY} } hasNextPage }`);

interface Entry {
  id: string;
  at: string;
  clientId: string;
  client: string;
  agencies: string[];
  purpose: string;
  caseReference: string | null;
  categories: string[];
  fields: string[];
  byYou: boolean;
  archived: boolean;
  proof: string | null;
  /** The consent a partner read under, if any. */
  consent: { id: string; validUntil: string } | null;
}
interface View {
  id: string;
  dataAccessLog: { entries: Entry[]; hasNextPage: boolean } | null;
}

/** "Check this entry": the proof checked here, in the browser, against the witness's public key. */
function EntryProof({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  const [check, setCheck] = useState<EntryCheck | 'checking' | undefined>();
  if (!entry.proof) return <p className="muted small-text">{t('tracker.proof.tooRecent')}</p>;
  const proof = entry.proof;
  const run = async () => {
    setCheck('checking');
    setCheck(await checkEntryProof(proof, entry));
  };
  return (
    <div className="entry-proof">
      <button type="button" className="secondary small" onClick={() => void run()} disabled={check === 'checking'}>
        {t('tracker.proof.check')}
      </button>{' '}
      <a className="small-text" download={`audit-entry-${entry.at.replace(/[:.]/g, '-')}.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(proof)}`}>
        {t('tracker.proof.download')}
      </a>
      {check && check !== 'checking' && (
        <p className={check.ok ? 'proof-ok' : 'proof-bad'} role="status">
          {check.ok ? '✓ ' : '✗ '}
          {check.summary}
        </p>
      )}
    </div>
  );
}

export function DataTrackerPanel({ subject, whose }: { subject: Subject; whose?: string }) {
  const { t, i18n } = useTranslation();
  const { dateTime, date } = useFormats();
  const others = queryFor(OTHERS, subject);
  const all = queryFor(ALL, subject);
  // Always fresh: the portal's own reads land in the log as the page is used.
  const othersResult = useQuery(others.query, { variables: others.variables, fetchPolicy: 'network-only', notifyOnNetworkStatusChange: true });
  const allResult = useQuery(all.query, { variables: all.variables, fetchPolicy: 'network-only', notifyOnNetworkStatusChange: true });
  const inquiries = useReadInquiries(subject);
  const problems = [...describeErrors(othersResult.error), ...describeErrors(allResult.error)];
  const unavailable = unavailableAgencies(problems);
  const otherReads = personOf<View>(othersResult.data)?.dataAccessLog?.entries.filter((e) => !e.byYou);
  const ownReads = personOf<View>(allResult.data)?.dataAccessLog?.entries.filter((e) => e.byYou) ?? [];
  const byDay = new Map<string, Entry[]>();
  for (const e of ownReads) {
    const day = e.at.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), e]);
  }
  const names = (list: string[], prefix: string) => formatList(list.map((x) => t(`messages:${prefix}.${x.replace(/\./g, '_')}`, { defaultValue: x })), i18n.language);
  const refresh = () => {
    void othersResult.refetch();
    void allResult.refetch();
    inquiries.refetch();
  };
  return (
    <Section
      title={whose ? t('tracker.titleOf', { name: whose }) : t('tracker.title')}
      className="tracker wide"
      source={t('tracker.source')}
      actions={
        <button type="button" className="secondary small" onClick={refresh} disabled={othersResult.loading}>
          {t('tracker.refresh')}
        </button>
      }
    >
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : isNotInSchema(problems) ? (
        <p className="muted">{t('tracker.notAvailable')}</p>
      ) : (
        <Problems problems={problems} title={t('tracker.loadFailed')} />
      )}
      {othersResult.loading && !otherReads && <Loading what={t('tracker.loading')} />}
      <h3>{t('tracker.others')}</h3>
      {otherReads && otherReads.length === 0 && <p className="muted">{t('tracker.noOthers')}</p>}
      {otherReads && otherReads.length > 0 && (
        <ol className="tracker-list" aria-label={t('tracker.othersList')}>
          {otherReads.map((e) => (
            <li key={e.id} data-by-you="false" data-client={e.clientId} data-entry={e.id}>
              <div className="tracker-head">
                <time dateTime={e.at}>{dateTime(e.at)}</time> <strong>{t(`messages:client.${e.clientId}`, { defaultValue: e.client })}</strong>
              </div>
              <p>{t(`messages:purpose.${e.purpose}`, { defaultValue: e.purpose })}</p>
              <p className="small-text">
                {/* A record with no data categories named the person without showing their data: a change made for them (a mutation), or a look-up of their record. */}
                {e.categories.length > 0
                  ? t('tracker.data', { data: names(e.categories, 'category'), agencies: names(e.agencies, 'agency') })
                  : t(e.fields.some((f) => f.startsWith('Mutation.')) ? 'tracker.change' : 'tracker.lookup', { agencies: names(e.agencies, 'agency') })}
                {e.caseReference && <> · {t('tracker.case', { reference: e.caseReference })}</>}
              </p>
              {e.consent && (
                <p className="small-text" data-consent={e.consent.id}>
                  {t('tracker.underConsent', { date: date(e.consent.validUntil) })}
                </p>
              )}
              <p className="muted small-text">{t('tracker.law', { law: t(`messages:purposeLaw.${e.purpose}`, { defaultValue: '' }) })}</p>
              <div className="entry-actions" data-entry-actions={e.id}>
                {e.archived && <span className="badge">{t('tracker.archived')}</span>}
                <EntryProof entry={e} />
              </div>
              <AskAboutRead entryId={e.id} subject={subject} inquiries={inquiries.byEntry.get(e.id) ?? []} onAsked={inquiries.refetch} />
            </li>
          ))}
        </ol>
      )}
      <h3>{t('tracker.yours')}</h3>
      {byDay.size === 0 ? (
        <p className="muted">{t('tracker.noneYours')}</p>
      ) : (
        <ul className="plain own-reads">
          {[...byDay].map(([day, entries]) => (
            <li key={day} data-by-you="true" data-client={entries[0]!.clientId}>
              {t('tracker.yoursOnDay', { date: date(day), count: entries.length, client: t(`messages:client.${entries[0]!.clientId}`, { defaultValue: entries[0]!.client }) })}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
