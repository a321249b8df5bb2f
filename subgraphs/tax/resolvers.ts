import { currentYear } from '../../platform/clock.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import type { AssessmentRow, EmploymentRow, IncomeRow, TaxLoaders, TaxpayerRow } from './loaders.ts';

type Context = SubgraphContext<TaxLoaders>;

/**
 * Everyone the population register names has an answer here, a taxpayer or
 * not: a person with no tax record has nothing on it (null income, not 0),
 * never a null entity (which would take the whole person out of the facts
 * the gateway hands another agency for @requires).
 */
type Person = TaxpayerRow | { id: string; residency?: undefined };
const registered = (t: Person): t is TaxpayerRow => t.residency !== undefined;

const lastCalendarYear = () => currentYear() - 1;
const round2 = (n: number) => Math.round(n * 100) / 100;

export const resolvers = {
  Citizen: {
    __resolveReference: async (ref: { id: string }, ctx: Context): Promise<Person> => (await ctx.loaders.taxpayerById.load(ref.id)) ?? { id: ref.id },
    taxResidency: (t: Person) => (registered(t) ? { status: t.residency.toUpperCase(), country: t.country } : null),
    insuredYears: (t: Person) => (registered(t) ? t.insured_years : null),
    async incomes(t: Person, args: { year?: number | null }, ctx: Context) {
      if (!registered(t)) return null;
      const rows = await ctx.loaders.incomesByPerson.load(t.id);
      return rows
        .filter((row) => args.year == null || row.year === args.year)
        .map((row: IncomeRow) => ({ year: row.year, kind: row.kind.toUpperCase(), amount: row.amount }));
    },
    async annualIncome(t: Person, args: { year?: number | null }, ctx: Context) {
      if (!registered(t)) return null;
      const year = args.year ?? lastCalendarYear();
      const rows = await ctx.loaders.incomesByPerson.load(t.id);
      return round2(rows.filter((row) => row.year === year).reduce((sum, row) => sum + row.amount, 0));
    },
    async employments(t: Person, _: unknown, ctx: Context) {
      if (!registered(t)) return null;
      const rows = await ctx.loaders.employmentsByPerson.load(t.id);
      return rows.map((row: EmploymentRow) => ({
        employer: { id: row.employer_id, name: row.employer_name },
        since: row.since,
        until: row.until,
      }));
    },
    async taxAssessments(t: Person, _: unknown, ctx: Context) {
      if (!registered(t)) return null;
      const rows = await ctx.loaders.assessmentsByPerson.load(t.id);
      return rows.map((row: AssessmentRow) => ({
        year: row.year,
        taxableIncome: row.taxable_income,
        assessedTax: row.assessed_tax,
        withheldTax: row.withheld_tax,
        balance: round2(row.withheld_tax - row.assessed_tax),
        assessedOn: row.assessed_on,
      }));
    },
  },
};
