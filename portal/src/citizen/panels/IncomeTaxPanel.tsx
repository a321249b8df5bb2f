import { useTranslation } from '../../i18n/index.ts';
import { Facts, Loading, Problems, Section, Unavailable, useFormats } from '../../shared/ui.tsx';
import { TAX, type Subject, type TaxView } from '../queries.ts';
import { usePanel } from '../usePanel.ts';

export function IncomeTaxPanel({ subject }: { subject: Subject }) {
  const { t } = useTranslation();
  const { money, date } = useFormats();
  const { person: c, loading, problems, unavailable } = usePanel<TaxView>(TAX, subject);
  const latest = [...(c?.taxAssessments ?? [])].sort((a, b) => b.year - a.year)[0];
  const currentJobs = (c?.employments ?? []).filter((e) => !e.until);
  return (
    <Section title={t('tax.title')} className="income" source={t('messages:agency.tax')}>
      {unavailable.length > 0 ? (
        <Unavailable agencies={unavailable} />
      ) : (
        <>
          <Problems problems={problems} title={t('problems.panel')} />
          {loading && !c && <Loading what={t('tax.loading')} />}
          {c && (
            <>
              <Facts
                items={[
                  [t('tax.income'), money(c.annualIncome)],
                  [t('tax.insuredYears'), c.insuredYears === null ? undefined : t('tax.years', { count: c.insuredYears })],
                  [t('tax.residency'), c.taxResidency ? t(`residency.${c.taxResidency.status}`, { defaultValue: c.taxResidency.status, country: c.taxResidency.country }) : undefined],
                  [t('tax.employer'), c.employments === null ? undefined : currentJobs.length ? currentJobs.map((e) => e.employer.name).join(', ') : t('tax.noEmployer')],
                ]}
              />
              {c.taxAssessments !== null &&
                (latest ? (
                  <div className="assessment">
                    <h3>{t('tax.assessment', { year: latest.year })}</h3>
                    <p>
                      {t('tax.assessed', { assessed: money(latest.assessedTax), withheld: money(latest.withheldTax) })}{' '}
                      <strong>{latest.balance >= 0 ? t('tax.refund', { amount: money(latest.balance) }) : t('tax.toPay', { amount: money(-latest.balance) })}</strong>{' '}
                      <span className="muted">({t('tax.assessedOn', { date: date(latest.assessedOn) })})</span>
                    </p>
                  </div>
                ) : (
                  <p className="muted">{t('tax.noAssessment')}</p>
                ))}
            </>
          )}
        </>
      )}
    </Section>
  );
}
