import { useTranslation } from '../../i18n/index.ts';
import { Loading, Problems, Section, Unavailable, useFormats } from '../../shared/ui.tsx';
import { BENEFITS, type BenefitsView, type Subject } from '../queries.ts';
import { usePanel } from '../usePanel.ts';

export function BenefitsPanel({ subject }: { subject: Subject }) {
  const { t } = useTranslation();
  const { money, date } = useFormats();
  const { person: c, loading, problems, unavailable } = usePanel<BenefitsView>(BENEFITS, subject);
  const enrolments = c?.benefitEnrollments ?? [];
  const name = (code: string) => t(`messages:programme.${code}.name`, { defaultValue: code });
  return (
    <Section title={t('benefits.title')} className="benefits" source={t('messages:agency.benefits')}>
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : (
        <>
          <Problems problems={problems} title={t('problems.panel')} />
          {loading && !c && <Loading what={t('benefits.loading')} />}
          {c && c.benefitEnrollments !== null && enrolments.length === 0 && <p className="muted">{t('benefits.none')}</p>}
          {enrolments.length > 0 && (
            <ul className="enrolments" aria-label={t('benefits.list')}>
              {enrolments.map((e) => (
                <li key={e.id} data-programme={e.programme.code} data-status={e.status}>
                  <span className="enrolment-name">{name(e.programme.code)}</span> <span className={`badge status-${e.status.toLowerCase()}`}>{t(`enrolment.${e.status}`)}</span>
                  <br />
                  <span className="amount-line">
                    {e.programme.kind === 'ONE_OFF'
                      ? e.amount !== null && t('benefits.oneOff', { amount: money(e.amount) })
                      : e.monthlyAmount !== null && t('benefits.monthly', { amount: money(e.monthlyAmount) })}
                  </span>
                  <br />
                  <span className="muted">
                    {t('benefits.since', { date: date(e.since) })}
                    {e.until && e.programme.kind !== 'ONE_OFF' ? ` · ${t('benefits.until', { date: date(e.until) })}` : ''}
                    {e.nextPaymentOn && e.status !== 'ENDED' ? ` · ${t('benefits.nextPayment', { date: date(e.nextPaymentOn) })}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {c?.benefitPayments?.length ? (
            <details>
              <summary>{t('benefits.payments')}</summary>
              <table>
                <caption className="visually-hidden">{t('benefits.payments')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('benefits.paidOn')}</th>
                    <th scope="col">{t('benefits.benefit')}</th>
                    <th scope="col" className="num">
                      {t('benefits.amount')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.benefitPayments.map((p) => (
                    <tr key={p.id} data-scheduled={p.scheduled}>
                      <td>
                        {date(p.paidOn)}
                        {p.scheduled && <span className="muted"> ({t('benefits.scheduled')})</span>}
                      </td>
                      <td>{name(p.programme.code)}</td>
                      <td className="num">{money(p.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : null}
        </>
      )}
    </Section>
  );
}
