/**
 * What an offer says to the person besides its facts (GDPR art. 13–14, 22):
 * the law it rests on, what is paid (the new total and the change from what
 * they receive now), and what happens next and when. Messages are keys of the
 * message catalogue (platform/messages) with parameters; pure functions of the
 * offer, its programme and the day.
 */
import type { OfferRow } from './offers-store.ts';
import { firstPaymentDay } from './payment-schedule.ts';

export interface Message {
  key: string;
  params: Record<string, unknown>;
}

/**
 * The law each programme rests on. Programmes modelled on another country's
 * scheme say so (`model` names the country) rather than pass a foreign act off
 * as Estonian law.
 */
const LAW: Record<string, Message> = {
  'birth-grant': { key: 'law.familyBenefitsAct', params: { section: '12' } },
  'child-allowance': { key: 'law.familyBenefitsAct', params: { section: '18' } },
  'large-family-allowance': { key: 'law.familyBenefitsAct', params: { section: '21' } },
  'single-parent-allowance': { key: 'law.familyBenefitsAct', params: { section: '22' } },
  'old-age-pension': { key: 'law.statePensionInsuranceAct', params: { section: '7' } },
  'low-income-child-supplement': { key: 'law.modelledOn', params: { country: 'AT', act: 'Familienlastenausgleichsgesetz 1967', section: '9' } },
  'energy-social-tariff': { key: 'law.modelledOn', params: { country: 'PT', act: 'Decreto-Lei 138-A/2010', section: '2' } },
};

export const lawOf = (programme: string): Message => LAW[programme] ?? { key: 'law.unknown', params: { programme } };

/** What the person receives now from the programme, as the finding recorded it. */
function currentAmount(offer: OfferRow): number | null {
  const fact = offer.facts.find((f) => f.key === 'fact.receiving');
  const amount = fact?.params?.amount;
  return typeof amount === 'number' ? amount : null;
}

export function amountOf(offer: OfferRow, kind: 'monthly' | 'one_off'): Message | null {
  if (offer.amount === null) return null;
  if (kind === 'one_off') return { key: 'amount.oneOff', params: { total: offer.amount } };
  const current = currentAmount(offer);
  if (current === null) return { key: 'amount.monthlyNew', params: { total: offer.amount } };
  return { key: 'amount.monthlyChange', params: { total: offer.amount, current, change: Math.round((offer.amount - current) * 100) / 100 } };
}

export function nextStepsOf(offer: OfferRow, kind: 'monthly' | 'one_off', today: string): Message[] {
  const paymentDay = firstPaymentDay(today);
  switch (offer.status) {
    case 'proposed':
      if (offer.programme_code === 'old-age-pension') return [{ key: 'next.pension', params: {} }, { key: 'next.declineKeepsRight', params: {} }];
      return [
        offer.amount === null
          ? { key: 'next.acceptStarts', params: { date: paymentDay } }
          : { key: kind === 'one_off' ? 'next.acceptOneOff' : 'next.acceptMonthly', params: { amount: offer.amount, date: paymentDay } },
        { key: 'next.declineKeepsRight', params: {} },
      ];
    case 'granted_automatically':
      return [{ key: 'next.automatic', params: { deadline: offer.objection_deadline ?? '' } }];
    case 'accepted':
    case 'declined':
    case 'expired':
    case 'objected':
    case 'withheld':
    case 'withdrawn':
      return [];
  }
}
