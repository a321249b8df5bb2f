import { badUserInput } from '../../platform/errors.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import { contestMutations, contestQueries, contestTypes } from './contest-resolvers.ts';
import { offerCitizenFields, offerMutations, offerTypes } from './offer-resolvers.ts';
import { today } from '../../platform/clock.ts';
import { firstPaymentDay } from './payment-schedule.ts';
import { messageParams } from './message-params.ts';
import { PROGRAMME_COLUMNS, type BenefitsLoaders, type BeneficiaryRow, type EnrolmentRow, type ProgrammeRow } from './loaders.ts';
import { paidForChild } from './household.ts';
import { eligibility, type GivenFacts } from './eligibility.ts';

/** A person as the board answers for them, with the facts the gateway handed over for the fields that `@require` them. */
type Person = BeneficiaryRow & { given?: GivenFacts };

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
    async __resolveReference(ref: GivenFacts, ctx: Context): Promise<Person> {
      // Everyone the population register names has an answer here: most people are no beneficiary (nothing on record).
      const row = (await ctx.loaders.beneficiaryById.load(ref.id)) ?? { id: ref.id, proactive_opt_out: false, notification_channel: 'portal' };
      return Object.keys(ref).some((key) => key !== 'id' && key !== '__typename') ? { ...row, given: ref } : row;
    },
    eligibility,
    async benefitsPaidFor(child: Person, _: unknown, ctx: Context) {
      const bornOn = child.given?.dateOfBirth;
      const parents = child.given?.parents;
      if (!bornOn || !parents) return null;
      const perParent = await Promise.all(parents.map((p) => ctx.loaders.enrolmentsOf.load(p.id)));
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
