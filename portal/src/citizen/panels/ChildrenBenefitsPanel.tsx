/**
 * Household: the child benefits paid for the citizen's children, whichever
 * parent receives them (each child's `benefitsPaidFor`, granted to the
 * child's representatives by the policy's benefits.household). The father
 * whose family's allowance is paid to his wife sees it here, "paid to your
 * spouse". A benefit paid for several children shows once, with their names.
 */
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { formatList } from '../../../../platform/messages/formats.ts';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors, unavailableAgencies } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { Loading, Problems, Section, Unavailable, useFormats } from '../../shared/ui.tsx';
import type { WardSummary } from '../queries.ts';

const HOUSEHOLD = gql`
  query PortalChildrenBenefits {
    me {
      id
      partner {
        id
      }
      wards {
        id
        benefitsPaidFor {
          programme {
            code
            kind
          }
          paidTo
          status
          since
          until
          monthlyAmount
          amount
          nextPaymentOn
        }
      }
    }
  }
`;

interface ChildBenefit {
  programme: { code: string; kind: 'MONTHLY' | 'ONE_OFF' };
  paidTo: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'ENDED';
  since: string;
  until: string | null;
  monthlyAmount: number | null;
  amount: number | null;
  nextPaymentOn: string | null;
}
interface Data {
  me: { id: string; partner: { id: string } | null; wards: { id: string; benefitsPaidFor: ChildBenefit[] | null }[] | null } | null;
}

export function ChildrenBenefitsPanel({ wards }: { wards: WardSummary[] }) {
  const { t, i18n } = useTranslation();
  const { money, date } = useFormats();
  const result = useQuery(HOUSEHOLD, { skip: wards.length === 0 });
  if (wards.length === 0) return null;
  const data = dataOf<Data>(result)?.me;
  const problems = describeErrors(result.error);
  const unavailable = unavailableAgencies(problems);
  const nameOf = (id: string) => wards.find((w) => w.id === id)?.givenName ?? t('someone.child');
  // One line per benefit: the same enrolment is paid for several children.
  const benefits = new Map<string, { benefit: ChildBenefit; children: string[] }>();
  for (const ward of data?.wards ?? []) {
    for (const b of ward.benefitsPaidFor ?? []) {
      if (b.status === 'ENDED' && b.programme.kind !== 'ONE_OFF') continue;
      const key = `${b.programme.code}|${b.paidTo}|${b.since}`;
      const entry = benefits.get(key) ?? { benefit: b, children: [] };
      entry.children.push(ward.id);
      benefits.set(key, entry);
    }
  }
  const paidTo = (id: string) => (id === data?.id ? t('household.paidToYou') : id === data?.partner?.id ? t('household.paidToPartner') : t('household.paidToOther'));
  return (
    <Section title={t('household.title')} className="household" source={t('messages:agency.benefits')}>
      <p className="muted small-text">{t('household.intro')}</p>
      {unavailable.length > 0 ? <Unavailable agencies={unavailable} /> : <Problems problems={problems.filter((p) => !p.agency)} title={t('problems.panel')} />}
      {result.loading && !data && <Loading what={t('household.loading')} />}
      {data && benefits.size === 0 && unavailable.length === 0 && <p className="muted">{t('household.none')}</p>}
      {benefits.size > 0 && (
        <ul className="enrolments" aria-label={t('household.list')}>
          {[...benefits.values()].map(({ benefit: b, children }) => (
            <li key={`${b.programme.code}-${b.paidTo}-${b.since}`} data-programme={b.programme.code} data-paid-to={b.paidTo === data?.id ? 'you' : b.paidTo === data?.partner?.id ? 'partner' : 'other'}>
              <span className="enrolment-name">{t(`messages:programme.${b.programme.code}.name`, { defaultValue: b.programme.code })}</span>{' '}
              <span className={`badge status-${b.status.toLowerCase()}`}>{t(`enrolment.${b.status}`)}</span>
              <br />
              <span className="amount-line">
                {b.programme.kind === 'ONE_OFF'
                  ? b.amount !== null && t('benefits.oneOff', { amount: money(b.amount) })
                  : b.monthlyAmount !== null && t('benefits.monthly', { amount: money(b.monthlyAmount) })}
              </span>{' '}
              <strong>{paidTo(b.paidTo)}</strong>
              <br />
              <span className="muted">
                {t('household.forChildren', { names: formatList(children.map(nameOf), i18n.language) })} · {t('benefits.since', { date: date(b.since) })}
                {b.nextPaymentOn && b.status !== 'ENDED' ? ` · ${t('benefits.nextPayment', { date: date(b.nextPaymentOn) })}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
