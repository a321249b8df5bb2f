/**
 * "Consents": what each partner may read of the person (or of a child they
 * represent), until when, every read it made under the consent, the consent
 * receipt, and withdrawal in one click after a confirmation. A withdrawal
 * holds from the partner's very next request (the gateway looks consents up
 * at every request).
 */
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { formatList } from '../../../../platform/messages/formats.ts';
import { useTranslation } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../shared/ConfirmDialog.tsx';
import { describeErrors, isNotInSchema } from '../../shared/errors.ts';
import { Loading, Problems, Section, useFormats } from '../../shared/ui.tsx';
import { forSubject, personOf, queryFor, type Subject } from '../queries.ts';

const CONSENTS = forSubject(
  'PortalConsents',
  'consents { id clientId client purpose fields categories grantedAt validUntil revokedAt state grantedByYou receipt reads(first: 10) { id at caseReference categories } }',
);
const REVOKE = gql`
  mutation PortalRevokeConsent($id: ID!) {
    revokeConsent(id: $id) {
      id
      state
      revokedAt
    }
  }
`;

export interface ConsentView {
  id: string;
  clientId: string;
  client: string;
  purpose: string;
  fields: string[];
  categories: string[];
  grantedAt: string;
  validUntil: string;
  revokedAt: string | null;
  state: 'LIVE' | 'REVOKED' | 'EXPIRED' | 'POLICY_CHANGED';
  grantedByYou: boolean;
  receipt: string;
  reads: { id: string; at: string; caseReference: string | null; categories: string[] }[];
}

/** Who the person is before what they have: the order a person reads the list in. */
const FIELD_ORDER = ['Citizen.id', 'Citizen.givenName', 'Citizen.familyName', 'Citizen.annualIncome', 'Citizen.incomes', 'Income.year', 'Income.amount'];
const rank = (field: string) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);

/** The data a consent covers, in plain words: field names the portal knows, else their categories' names. */
export function useDataNames() {
  const { t, i18n } = useTranslation();
  return (fields: string[], categories: string[]) => {
    const named = [...fields].sort((a, b) => rank(a) - rank(b)).map((f) => t(`consentField.${f.replace(/\./g, '_')}`, { defaultValue: '' })).filter(Boolean);
    const words = named.length === fields.length ? [...new Set(named)] : categories.map((c) => t(`messages:category.${c.replace(/\./g, '_')}`, { defaultValue: c }));
    return formatList(words, i18n.language);
  };
}

interface KantaraReceipt {
  version: string;
  consentReceiptID: string;
  consentTimestamp: number;
  jurisdiction: string;
  collectionMethod: string;
  services: { purposes: { consentType: string; piiCategory: string[] }[] }[];
}

/** The consent receipt (Kantara Consent Receipt v1.1) in plain words; the JSON itself is the download. */
function Receipt({ consent, partner }: { consent: ConsentView; partner: string }) {
  const { t, i18n } = useTranslation();
  const { dateTime } = useFormats();
  const receipt = JSON.parse(consent.receipt) as KantaraReceipt;
  const purpose = receipt.services[0]?.purposes[0];
  const categories = (purpose?.piiCategory ?? []).map((c) => t(`messages:category.${c.replace(/\./g, '_')}`, { defaultValue: c }));
  return (
    <details className="consent-receipt">
      <summary className="small-text">{t('consents.showReceipt')}</summary>
      <dl className="facts small-text" data-receipt={receipt.consentReceiptID}>
        <div>
          <dt>{t('consents.receiptId')}</dt>
          <dd>{receipt.consentReceiptID}</dd>
        </div>
        <div>
          <dt>{t('consents.receiptGiven')}</dt>
          <dd>{dateTime(new Date(receipt.consentTimestamp * 1000).toISOString())}</dd>
        </div>
        <div>
          <dt>{t('consents.receiptController')}</dt>
          <dd>{partner}</dd>
        </div>
        <div>
          <dt>{t('consents.receiptData')}</dt>
          <dd>{formatList(categories, i18n.language)}</dd>
        </div>
        <div>
          <dt>{t('consents.receiptKind')}</dt>
          <dd>{t('consents.receiptExplicit')}</dd>
        </div>
        <div>
          <dt>{t('consents.receiptFormat')}</dt>
          <dd>Kantara Consent Receipt {receipt.version.replace(/^KI-CR-v/, '')}</dd>
        </div>
      </dl>
    </details>
  );
}

export function ConsentsPanel({ subject, whose }: { subject: Subject; whose?: string }) {
  const { t, i18n } = useTranslation();
  const { date, dateTime } = useFormats();
  const dataNames = useDataNames();
  const { query, variables } = queryFor(CONSENTS, subject);
  const result = useQuery(query, { variables, fetchPolicy: 'network-only' });
  const [revoke, revoking] = useMutation(REVOKE);
  const [asking, setAsking] = useState<ConsentView>();
  const [done, setDone] = useState<string>();
  const consents = personOf<{ consents: ConsentView[] | null }>(result.data)?.consents ?? undefined;
  const problems = [...describeErrors(result.error), ...describeErrors(revoking.error)];

  const confirmRevoke = async () => {
    const consent = asking!;
    setAsking(undefined);
    const answer = await revoke({ variables: { id: consent.id } });
    if (!answer.error) {
      setDone(t('consents.revoked', { partner: t(`messages:client.${consent.clientId}`, { defaultValue: consent.client }) }));
      await result.refetch();
    }
  };

  return (
    <Section title={whose ? t('consents.titleOf', { name: whose }) : t('consents.title')} className="consents wide" source={t('consents.source')}>
      {isNotInSchema(problems) ? <p className="muted">{t('consents.notAvailable')}</p> : <Problems problems={problems} title={t('consents.loadFailed')} />}
      {result.loading && !consents && <Loading what={t('consents.loading')} />}
      {done && (
        <p className="confirmation" role="status">
          {done}
        </p>
      )}
      {consents && consents.length === 0 && <p className="muted">{t('consents.none')}</p>}
      {consents && consents.length > 0 && (
        <ol className="consent-list" aria-label={t('consents.list')}>
          {consents.map((c) => {
            const partner = t(`messages:client.${c.clientId}`, { defaultValue: c.client });
            return (
              <li key={c.id} data-consent={c.id} data-state={c.state}>
                <div className="tracker-head">
                  <strong>{partner}</strong> <span className="badge">{t(`consents.state.${c.state}`)}</span>
                </div>
                <p>{t(`messages:consentPurpose.${c.purpose}`, { defaultValue: c.purpose })}</p>
                <p>{t('consents.mayRead', { data: dataNames(c.fields, c.categories) })}</p>
                <p className="small-text">
                  {c.state === 'REVOKED' && c.revokedAt
                    ? t('consents.revokedOn', { date: dateTime(c.revokedAt) })
                    : t('consents.until', { date: date(c.validUntil), granted: date(c.grantedAt.slice(0, 10)) })}
                  {!c.grantedByYou && <> · {t('consents.byGuardian')}</>}
                </p>
                <h3 className="small-heading">{t('consents.reads')}</h3>
                {c.reads.length === 0 ? (
                  <p className="muted small-text">{t('consents.noReads')}</p>
                ) : (
                  <ul className="plain consent-reads">
                    {c.reads.map((r) => (
                      <li key={r.id}>
                        <time dateTime={r.at}>{dateTime(r.at)}</time>: {t('consents.read', { data: formatList(r.categories.map((x) => t(`messages:category.${x.replace(/\./g, '_')}`, { defaultValue: x })), i18n.language) })}
                        {r.caseReference && <> · {t('tracker.case', { reference: r.caseReference })}</>}
                      </li>
                    ))}
                  </ul>
                )}
                <Receipt consent={c} partner={partner} />
                <div className="entry-actions">
                  <a className="small-text" download={`consent-receipt-${c.id}.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(c.receipt)}`}>
                    {t('consents.receipt')}
                  </a>
                  {c.state === 'LIVE' && (
                    <button type="button" className="secondary small" onClick={() => setAsking(c)} disabled={revoking.loading}>
                      {t('consents.revoke')}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <ConfirmDialog
        open={asking !== undefined}
        title={t('consents.confirmTitle')}
        confirmLabel={t('consents.confirmRevoke')}
        onConfirm={() => void confirmRevoke()}
        onCancel={() => setAsking(undefined)}
      >
        <p>{asking && t('consents.confirmBody', { partner: t(`messages:client.${asking.clientId}`, { defaultValue: asking.client }) })}</p>
      </ConfirmDialog>
    </Section>
  );
}
