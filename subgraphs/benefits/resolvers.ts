import { badUserInput } from '../../platform/errors.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import { contestMutations, contestQueries, contestTypes } from './contest-resolvers.ts';
import { offerCitizenFields, offerMutations, offerTypes } from './offer-resolvers.ts';
import { today } from '../../platform/clock.ts';
import { firstPaymentDay } from './payment-schedule.ts';
import { messageParams } from './message-params.ts';
import { PROGRAMME_COLUMNS, type BenefitsLoaders, type BeneficiaryRow, type EnrolmentRow, type ProgrammeRow } from './loaders.ts';
import { paidForChild } from './household.ts';

/** What the gateway hands in for benefitsPaidFor (`@requires`): the child's birth date and parents, from their registers. */
interface Household {
  dateOfBirth?: string | null;
  parents?: { id: string }[] | null;
}

type Context = SubgraphContext<BenefitsLoaders>;

const MAX_PAYMENTS = 120;

export const resolvers = {
  MessageParams: messageParams,
  Query: {
    programmes: (_: unknown, __: unknown, ctx: Context) =>
      ctx.db.query<ProgrammeRow>(`SELECT ${PROGRAMME_COLUMNS} FROM programme ORDER BY code`),
    ...contestQueries,
  },
  Mutation: { ...offerMutations, ...contestMutations },
  ...offerTypes,
  ...contestTypes,
  Programme: {
    __resolveReference: (ref: { code: string }, ctx: Context) => ctx.loaders.programmeByCode.load(ref.code),
    kind: (p: ProgrammeRow) => p.kind.toUpperCase(),
    legalSource: (p: ProgrammeRow) => p.legal_source,
  },
  Citizen: {
    ...offerCitizenFields,
    async __resolveReference(ref: { id: string } & Household, ctx: Context) {
      const row = await ctx.loaders.beneficiaryById.load(ref.id);
      // A child is rarely a beneficiary: with the required facts, there is still something to answer.
      if (ref.parents === undefined) return row;
      return { ...(row ?? { id: ref.id, proactive_opt_out: false, notification_channel: 'portal' }), dateOfBirth: ref.dateOfBirth ?? null, parents: ref.parents };
    },
    async benefitsPaidFor(child: BeneficiaryRow & Household, _: unknown, ctx: Context) {
      if (!child.dateOfBirth || !child.parents) return null;
      const bornOn = child.dateOfBirth;
      const perParent = await Promise.all(child.parents.map((p) => ctx.loaders.enrolmentsOf.load(p.id)));
      return perParent
        .flat()
        .filter((row: EnrolmentRow) => paidForChild(row, bornOn))
        .map((row) => ({
          programme: () => ctx.loaders.programmeByCode.load(row.programme_code),
          paidTo: row.person_id,
          status: row.status.toUpperCase(),
          since: row.since,
          until: row.until,
          monthlyAmount: row.monthly_amount,
          amount: row.amount,
          nextPaymentOn: row.next_payment_on ?? (row.status === 'active' && row.monthly_amount !== null ? firstPaymentDay(today()) : null),
        }));
    },
    async benefitEnrollments(person: BeneficiaryRow, _: unknown, ctx: Context) {
      const rows = await ctx.loaders.enrolmentsOf.load(person.id);
      return rows.map((row) => ({
        id: String(row.id),
        programme: () => ctx.loaders.programmeByCode.load(row.programme_code),
        since: row.since,
        until: row.until,
        monthlyAmount: row.monthly_amount,
        amount: row.amount,
        nextPaymentOn: row.next_payment_on ?? (row.status === 'active' && row.monthly_amount !== null ? firstPaymentDay(today()) : null),
        status: row.status.toUpperCase(),
      }));
    },
    async benefitPayments(person: BeneficiaryRow, args: { last?: number | null }, ctx: Context) {
      const last = args.last ?? 12;
      if (!Number.isInteger(last) || last < 0 || last > MAX_PAYMENTS) throw badUserInput(`last must be between 0 and ${MAX_PAYMENTS}`);
      const rows = await ctx.loaders.paymentsOf.load(person.id);
      return rows.slice(0, last).map((row) => ({
        id: String(row.id),
        programme: () => ctx.loaders.programmeByCode.load(row.programme_code),
        paidOn: row.paid_on,
        amount: row.amount,
        scheduled: row.paid_on > today(),
      }));
    },
  },
};
