/**
 * A person's working life as the tax board sees it: jobs, yearly income by
 * kind for the last three calendar years, and insured years. Built from a
 * profile (employee, retired, …) so that the three agree: income only in
 * years with a job or a business, insured years no more than the years since
 * the person could start working.
 */
import { addYears, ageOn, dayOf, yearOf, type Day } from './calendar.ts';
import { EMPLOYERS } from './employers.ts';
import type { Random } from './random.ts';
import type { IncomeKind } from './rows.ts';

export type Profile =
  | 'child'
  | 'student' // an adult child at home: a part-time job at most
  | 'employee'
  | 'self_employed'
  | 'jobless' // unemployed, carer or homemaker: adults with no income
  | 'retired'
  | 'non_resident'; // works abroad (taxed there), so no Estonian earnings

export interface Job {
  employerId: string;
  since: Day;
  until: Day | null;
}

export interface YearIncome {
  year: number;
  kind: IncomeKind;
  amount: number;
}

export interface Economy {
  residency: 'resident' | 'non_resident';
  country: string;
  insuredYears: number;
  jobs: Job[];
  incomes: YearIncome[];
}

export interface EconomyOptions {
  /** Last calendar year's earnings from work (employment or self-employment), instead of a random one. */
  earnings?: number;
  /** Last calendar year's capital income; 0 for none. */
  capital?: number;
  insuredYears?: number;
  /** When the person came to Estonia; years before do not count as insured here. */
  arrived?: Day | null;
  /** Start of the current job (employees), instead of a random job history; personas pin it so their earnings are exact. */
  employedSince?: Day;
}

export const cents = (euros: number): number => Math.round(euros * 100) / 100;

/** The calendar years with income data: the last three completed ones. */
export function incomeYears(today: Day): number[] {
  const year = yearOf(today);
  return [year - 3, year - 2, year - 1];
}

const NOMINAL_WAGE_GROWTH = 1.07; // Estonian wages grew 7–11 % a year recently; earlier years earned less

const employerIds = EMPLOYERS.map((e) => e.id);

function jobHistory(random: Random, today: Day, careerStart: Day, windowStart: Day, end: Day | null): Job[] {
  const last = end ?? today;
  const latestStart = Math.max(careerStart, last - 60);
  const since = random.int(careerStart, latestStart);
  const current: Job = { employerId: random.pick(employerIds), since, until: end };
  // A job that began inside the income window implies an earlier one covering the years before it.
  if (since > windowStart && since - careerStart > 400) {
    const previousSince = random.int(careerStart, Math.max(careerStart, since - 400));
    const previousEnd = since - random.int(1, 60);
    if (previousEnd > previousSince) {
      let previousEmployer = random.pick(employerIds);
      if (previousEmployer === current.employerId) previousEmployer = random.pick(employerIds); // a rare repeat is harmless
      return [{ employerId: previousEmployer, since: previousSince, until: previousEnd }, current];
    }
  }
  return [current];
}

/** Share of a calendar year during which any of the jobs ran (income is earned only then). */
function shareEmployed(jobs: readonly Job[], year: number, today: Day): number {
  const start = dayOf(year, 1, 1);
  const end = dayOf(year + 1, 1, 1);
  let days = 0;
  for (const job of jobs) {
    const from = Math.max(job.since, start);
    const to = Math.min(job.until ?? today, end);
    if (to > from) days += to - from;
  }
  return Math.min(1, days / (end - start));
}

export function buildEconomy(
  random: Random,
  today: Day,
  born: Day,
  died: Day | null,
  profile: Profile,
  options: EconomyOptions = {},
): Economy {
  const years = incomeYears(today);
  const windowStart = dayOf(years[0]!, 1, 1);
  const age = ageOn(born, died ?? today);
  const nonResident = profile === 'non_resident';
  const economy: Economy = {
    residency: nonResident ? 'non_resident' : 'resident',
    country: nonResident ? random.pick(['FIN', 'FIN', 'FIN', 'SWE', 'NOR', 'DEU']) : 'EST',
    insuredYears: 0,
    jobs: [],
    incomes: [],
  };
  if (profile === 'child') return economy;

  // Insured years: from starting work (19–24) to now or to retirement at 65, less gaps.
  const careerStart = Math.max(addYears(born, random.int(19, 24)), options.arrived ?? -Infinity);
  const careerEnd = Math.min(died ?? today, profile === 'retired' ? addYears(born, random.int(63, 66)) : today);
  const possible = Math.max(0, Math.floor((careerEnd - careerStart) / 365.25));
  const gapShare = profile === 'jobless' ? random.real(0.3, 0.8) : profile === 'student' ? random.real(0.5, 1) : random.real(0, 0.12);
  economy.insuredYears = options.insuredYears ?? Math.max(0, Math.round(possible * (1 - gapShare)));

  let earningsKind: IncomeKind | undefined;
  let earnings = 0;
  switch (profile) {
    case 'employee':
      earningsKind = 'employment';
      earnings = options.earnings ?? random.logNormal(age < 25 ? 13_000 : 20_000, 0.5);
      economy.jobs =
        options.employedSince !== undefined
          ? [{ employerId: random.pick(employerIds), since: options.employedSince, until: null }]
          : jobHistory(random, today, Math.min(careerStart, (died ?? today) - 90), windowStart, died);
      break;
    case 'self_employed':
      earningsKind = 'self_employment';
      earnings = options.earnings ?? random.logNormal(15_000, 0.7);
      break;
    case 'student':
      if (random.chance(0.4) || options.earnings !== undefined) {
        earningsKind = 'employment';
        earnings = options.earnings ?? random.logNormal(5_000, 0.6);
        const start = Math.max(addYears(born, 18), today - random.int(100, 1500));
        economy.jobs = [{ employerId: random.pick(employerIds), since: start, until: null }];
      }
      break;
    case 'retired': {
      if (died === null && random.chance(0.1)) {
        // Working pensioners are common in Estonia.
        earningsKind = 'employment';
        earnings = options.earnings ?? random.logNormal(11_000, 0.5);
        economy.jobs = jobHistory(random, today, Math.min(careerStart, today - 90), windowStart, null);
      } else if (careerEnd > today - 3650 && careerEnd > careerStart) {
        economy.jobs = [{ employerId: random.pick(employerIds), since: random.int(careerStart, careerEnd - 1), until: careerEnd }];
        earningsKind = 'employment';
        earnings = options.earnings ?? random.logNormal(17_000, 0.45);
      }
      break;
    }
    case 'jobless':
      if (careerEnd - careerStart > 800 && random.chance(0.5)) {
        // A job that ended before the income window: a register entry, but no income in it.
        const until = Math.min(windowStart - random.int(1, 900), careerEnd);
        if (until > careerStart) economy.jobs = [{ employerId: random.pick(employerIds), since: random.int(careerStart, until - 1), until }];
      }
      break;
    case 'non_resident':
      break;
  }

  const capital = options.capital ?? (random.chance(profile === 'retired' ? 0.22 : 0.14) ? random.logNormal(900, 1.2) : 0);
  for (let i = 0; i < years.length; i++) {
    const year = years[i]!;
    const yearsBack = years.length - 1 - i;
    if (died !== null && died < dayOf(year + 1, 1, 1)) continue;
    if (ageOn(born, dayOf(year, 12, 31)) < 18) continue;
    const growth = NOMINAL_WAGE_GROWTH ** yearsBack;
    if (earningsKind && earnings > 0) {
      const share = earningsKind === 'employment' ? shareEmployed(economy.jobs, year, today) : 1;
      // Last year is pinned to `earnings` so callers (personas, low-income families) control it exactly.
      const noise = yearsBack === 0 ? 1 : random.logNormal(1, 0.08);
      const amount = cents((earnings / growth) * noise * share);
      if (amount > 0) economy.incomes.push({ year, kind: earningsKind, amount });
    }
    if (capital > 0) {
      const amount = cents(yearsBack === 0 ? capital : capital * random.logNormal(1, 0.5));
      if (amount > 0) economy.incomes.push({ year, kind: 'capital', amount });
    }
  }
  return economy;
}

/** Total taxable income of one year. */
export function taxableIncome(economy: Economy, year: number): number {
  let sum = 0;
  for (const income of economy.incomes) if (income.year === year) sum += income.amount;
  return cents(sum);
}
