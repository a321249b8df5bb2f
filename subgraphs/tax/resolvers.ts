import { currentYear } from '../../platform/clock.ts';
import type { SubgraphContext } from '../kit/agency.ts';
import type { AssessmentRow, EmploymentRow, IncomeRow, TaxLoaders, TaxpayerRow } from './loaders.ts';

type Context = SubgraphContext<TaxLoaders>;

const lastCalendarYear = () => currentYear() - 1;
const round2 = (n: number) => Math.round(n * 100) / 100;

export const resolvers = {
  Citizen: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.taxpayerById.load(ref.id),
    taxResidency: (t: TaxpayerRow) => ({ status: t.residency.toUpperCase(), country: t.country }),
    insuredYears: (t: TaxpayerRow) => t.insured_years,
    async incomes(t: TaxpayerRow, args: { year?: number | null }, ctx: Context) {
      const rows = await ctx.loaders.incomesByPerson.load(t.id);
      return rows
        .filter((row) => args.year == null || row.year === args.year)
        .map((row: IncomeRow) => ({ year: row.year, kind: row.kind.toUpperCase(), amount: row.amount }));
    },
    async annualIncome(t: TaxpayerRow, args: { year?: number | null }, ctx: Context) {
      const year = args.year ?? lastCalendarYear();
      const rows = await ctx.loaders.incomesByPerson.load(t.id);
      return round2(rows.filter((row) => row.year === year).reduce((sum, row) => sum + row.amount, 0));
    },
    async employments(t: TaxpayerRow, _: unknown, ctx: Context) {
      const rows = await ctx.loaders.employmentsByPerson.load(t.id);
      return rows.map((row: EmploymentRow) => ({
        employer: { id: row.employer_id, name: row.employer_name },
        since: row.since,
        until: row.until,
      }));
    },
    async taxAssessments(t: TaxpayerRow, _: unknown, ctx: Context) {
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
