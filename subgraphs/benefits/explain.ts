/**
 * What an offer says to the person besides its facts (GDPR art. 13–14, 22):
 * the law it rests on, what is paid (the new total and the change from what
 * they receive now), and what happens next and when. Messages are keys of the
 * message catalogue (platform/messages) with parameters; pure functions of the
 * offer, its programme and the day.
 */
import type { OfferRow } from './offers-store.ts';
import { firstPaymentDay } from './payment-schedule.ts';
import { ruleFor } from './rules/index.ts';

export interface Message {
  key: string;
  params: Record<string, unknown>;
}

/**
 * The law each programme rests on, from the rule's own declaration (one
 * place). Programmes modelled on another country's scheme say so
 * (`law.modelledOn` with the country) rather than pass a foreign act off as
 * Estonian law.
 */
export function lawOf(programme: string): Message {
  const law = ruleFor(programme)?.law;
  if (!law) return { key: 'law.unknown', params: { programme } };
  if (!law.modelled) return { key: `law.${law.act}`, params: { section: law.section } };
  return { key: 'law.modelledOn', params: { country: law.country, act: law.act, section: law.section } };
}

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
