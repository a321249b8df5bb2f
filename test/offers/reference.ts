/**
 * An independent reference for the offers engine: plain SQL over the seeded
 * databases (read directly, as only a test may) and a straightforward
 * computation from the child's and the household's side, written from the
 * programme rules, with none of the engine's code (the parameter data file is
 * read here on its own). It must find exactly the engine's
 * (citizen, programme, amount, child).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parse } from 'yaml';
import type { DatabaseUrls } from '../../platform/databases.ts';

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
function plusYears(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return iso(new Date(Date.UTC(y + n, m - 1, d)));
}
const plusMonths = (day: string, n: number) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return iso(new Date(Date.UTC(y, m - 1 + n, d)));
};
const plusDays = (day: string, n: number) => iso(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
/** Younger than `years` on `today`: the birthday `years` later is still ahead. */
const youngerThan = (dob: string, years: number, today: string) => dob <= today && plusYears(dob, years) > today;

/** The parameters of a programme valid on `today`, read from the data file. */
function params<T>(programme: string, today: string): T {
  const file = parse(readFileSync(new URL('../../subgraphs/benefits/rules/parameters.yaml', import.meta.url), 'utf8')) as Record<string, { validFrom: string | Date; values: T }[]>;
  const day = (v: string | Date) => (typeof v === 'string' ? v : iso(v));
  return file[programme]!.filter((e) => day(e.validFrom) <= today).sort((a, b) => day(b.validFrom).localeCompare(day(a.validFrom)))[0]!.values;
}

/** citizen | programme | amount | child (or -) */
export type Triple = `${string}|${string}|${string}|${string}`;
export const TRIPLE_SQL = `person_id || '|' || programme_code || '|' || coalesce(amount::text, 'null') || '|' || coalesce(child_id, '-')`;

/** What the registers hold, as plain rows: loaded from the databases, or made up by a property test. */
export interface Registers {
  people: { id: string; dob: string; dod: string | null }[];
  /** Taxable income of last calendar year per person (every kind, pensions included). */
  income: { id: string; total: string }[];
  taxpayers: { id: string; years: number }[];
  /** Parent links, per child in record order: the birth mother first, then a father, then a second parent. */
  parentage: { parent: string; child: string }[];
  homes: { id: string; home: string }[];
  enrolments: { id: string; programme: string; status: string; amount: string | null; child: string | null }[];
  optedOut: string[];
  /** Who studies today (basic, general secondary or vocational education). */
  inEducation: string[];
}

export async function loadRegisters(urls: DatabaseUrls, today: string): Promise<Registers> {
  const lastYear = Number(today.slice(0, 4)) - 1;
  const people = await rows<{ id: string; dob: string; dod: string | null }>(
    urls.identity, `SELECT id, date_of_birth::text AS dob, date_of_death::text AS dod FROM citizen`);
  // Every kind of taxable income, pensions included.
  const income = await rows<{ id: string; total: string }>(
    urls.tax, `SELECT person_id AS id, round(sum(amount), 2)::text AS total FROM income WHERE year = ${lastYear} GROUP BY 1`);
  const taxpayers = await rows<{ id: string; years: number }>(urls.tax, `SELECT person_id AS id, insured_years AS years FROM taxpayer`);
  // The birth mother first, then a father, then a second parent.
  const parentage = await rows<{ parent: string; child: string }>(
    urls.family, `SELECT parent_id AS parent, child_id AS child FROM parentage
                   ORDER BY child_id, CASE parent_role WHEN 'mother' THEN 0 WHEN 'father' THEN 1 ELSE 2 END, parent_id`);
  const homes = await rows<{ id: string; home: string }>(urls.family, `SELECT person_id AS id, household_id::text AS home FROM household_member`);
  const enrolments = await rows<{ id: string; programme: string; status: string; amount: string | null; child: string | null }>(
    urls.benefits, `SELECT person_id AS id, programme_code AS programme, status, monthly_amount::text AS amount, child_id AS child FROM enrolment`);
  const optedOut = (await rows<{ id: string }>(urls.benefits, `SELECT person_id AS id FROM beneficiary WHERE proactive_opt_out`)).map((r) => r.id);
  const inEducation = (await rows<{ id: string }>(
    urls.education, `SELECT DISTINCT person_id AS id FROM study WHERE since <= '${today}' AND (until IS NULL OR until > '${today}')`)).map((r) => r.id);
  return { people, income, taxpayers, parentage, homes, enrolments, optedOut, inEducation };
}

export async function referenceOffers(urls: DatabaseUrls, today: string): Promise<Set<Triple>> {
  return referenceFindings(await loadRegisters(urls, today), today);
}

/** The findings the programme rules give over these registers on `today`, as (citizen, programme, amount, child). */
export function referenceFindings(registers: Registers, today: string): Set<Triple> {
  const { people, income, taxpayers, parentage, homes, enrolments } = registers;
  const optedOut = new Set(registers.optedOut);
  const studying = new Set(registers.inEducation);

  const person = new Map(people.map((p) => [p.id, p]));
  const incomeOf = new Map(income.map((r) => [r.id, Number(r.total)]));
  const yearsOf = new Map(taxpayers.map((r) => [r.id, r.years]));
  const homeOf = new Map(homes.map((r) => [r.id, r.home]));
  const residents = new Map<string, string[]>();
  for (const { id, home } of homes) residents.set(home, [...(residents.get(home) ?? []), id]);
  const parentsOf = new Map<string, string[]>();
  for (const { parent, child } of parentage) parentsOf.set(child, [...(parentsOf.get(child) ?? []), parent]);
  const enrolmentsOf = new Map<string, typeof enrolments>();
  for (const e of enrolments) enrolmentsOf.set(e.id, [...(enrolmentsOf.get(e.id) ?? []), e]);
  const grantedChildren = new Set(enrolments.filter((e) => e.programme === 'birth-grant' && e.child !== null).map((e) => e.child!));
  const current = (id: string, programme: string) => {
    const own = (enrolmentsOf.get(id) ?? []).filter((e) => e.programme === programme && e.status !== 'ended');
    return own.length ? own.reduce((s, e) => s + Number(e.amount ?? 0), 0) : null;
  };
  const alive = (id: string) => person.get(id)?.dod === null;

  // Children by claimant: the first parent on the record who lives with the child; nobody if that parent died.
  const claimed = new Map<string, { id: string; dob: string; parents: string[] }[]>();
  for (const [child, parents] of parentsOf) {
    const c = person.get(child);
    const home = homeOf.get(child);
    if (!c || c.dod !== null || home === undefined) continue;
    const claimant = parents.find((p) => homeOf.get(p) === home);
    if (!claimant || !alive(claimant)) continue;
    claimed.set(claimant, [...(claimed.get(claimant) ?? []), { id: child, dob: c.dob, parents }]);
  }
  // Children born on one day to one birth mother: one birth (triplets and more get the higher grant).
  const birthSize = new Map<string, number>();
  for (const [child, parents] of parentsOf) {
    const key = `${parents[0]}|${person.get(child)?.dob}`;
    birthSize.set(key, (birthSize.get(key) ?? 0) + 1);
  }

  const out = new Set<Triple>();
  const add = (id: string, programme: string, amount: number | null, automatic: boolean, child = '-') => {
    if (!automatic && optedOut.has(id)) return;
    out.add(`${id}|${programme}|${amount === null ? 'null' : amount.toFixed(2)}|${child}`);
  };
  const topUp = (id: string, programme: string, entitled: number, automatic = false) => {
    const now = current(id, programme);
    const due = entitled > 0 && (now === null || now < entitled);
    if (due) add(id, programme, entitled, automatic);
    return due;
  };

  const bg = params<{ perChild: number; perChildTripletsOrMore: number; tripletsFrom: number; claimWindowDays: number }>('birth-grant', today);
  const ca = params<{ firstAndSecond: number; thirdOn: number; maxAge: number; maxAgeInEducation: number }>('child-allowance', today);
  const lf = params<{ from: number; amount: number; largeFrom: number; largeAmount: number; maxAge: number }>('large-family-allowance', today);
  const sp = params<{ perChild: number; maxAge: number }>('single-parent-allowance', today);
  const li = params<{ perChild: number; maxAge: number; householdIncomeLimit: number }>('low-income-child-supplement', today);
  const op = params<{ pensionAge: number; offerMonthsBefore: number; minInsuredYears: number }>('old-age-pension', today);
  const et = params<{ incomeLimit: number; perMemberWithoutIncome: number; maxMembersWithoutIncome: number; listedBenefits: string[] }>('energy-social-tariff', today);

  /** Who is granted a programme by law in this run: a listed benefit of the tariff counts at once. */
  const grantedNow = new Map<string, Set<string>>();
  for (const [id, kids] of claimed) {
    // Birth grant: per child born within the window whose grant nobody received yet.
    for (const k of kids) {
      if (k.dob < plusDays(today, -bg.claimWindowDays) || k.dob > today || grantedChildren.has(k.id)) continue;
      const size = birthSize.get(`${k.parents[0]}|${k.dob}`)!;
      add(id, 'birth-grant', size >= bg.tripletsFrom ? bg.perChildTripletsOrMore : bg.perChild, false, k.id);
    }
    const u16 = kids.filter((k) => youngerThan(k.dob, ca.maxAge, today)).length;
    // Child allowance: under 16, or under 19 while in education.
    const allowed = kids.filter((k) => youngerThan(k.dob, ca.maxAge, today) || (youngerThan(k.dob, ca.maxAgeInEducation, today) && studying.has(k.id))).length;
    topUp(id, 'child-allowance', Math.min(allowed, 2) * ca.firstAndSecond + Math.max(0, allowed - 2) * ca.thirdOn);
    topUp(id, 'large-family-allowance', u16 >= lf.largeFrom ? lf.largeAmount : u16 >= lf.from ? lf.amount : 0);
    topUp(id, 'single-parent-allowance', sp.perChild * kids.filter((k) => k.parents.length === 1 && youngerThan(k.dob, sp.maxAge, today)).length);
    const u18 = kids.filter((k) => youngerThan(k.dob, li.maxAge, today)).length;
    const householdIncome = (residents.get(homeOf.get(id)!) ?? []).reduce((s, m) => s + (incomeOf.get(m) ?? 0), 0);
    if (u18 > 0 && householdIncome <= li.householdIncomeLimit && topUp(id, 'low-income-child-supplement', li.perChild * u18, true)) {
      grantedNow.set(id, new Set(['low-income-child-supplement']));
    }
  }

  for (const p of people) {
    if (p.dod !== null) continue;
    if ((yearsOf.get(p.id) ?? 0) >= op.minInsuredYears && today >= plusMonths(plusYears(p.dob, op.pensionAge), -op.offerMonthsBefore) && current(p.id, 'old-age-pension') === null) {
      add(p.id, 'old-age-pension', null, false);
    }
  }

  // Energy tariff, per household: the living adult with the lowest code, when nobody has it yet. The limit
  // rises by half for every living member without income, whoever they are (the applicant too), up to a maximum.
  const households = new Map<string, string[]>(residents);
  for (const p of people) if (!homeOf.has(p.id)) households.set(`alone:${p.id}`, [p.id]);
  for (const members of households.values()) {
    const living = members.filter(alive);
    const head = living.filter((m) => !youngerThan(person.get(m)!.dob, 18, today)).sort()[0];
    if (!head) continue;
    if (living.some((m) => current(m, 'energy-social-tariff') !== null)) continue;
    const listed = living.some((m) => et.listedBenefits.some((code) => current(m, code) !== null || grantedNow.get(m)?.has(code)));
    const total = living.reduce((s, m) => s + (incomeOf.get(m) ?? 0), 0);
    const withoutIncome = Math.min(living.filter((m) => !(incomeOf.get(m) ?? 0)).length, et.maxMembersWithoutIncome);
    if (listed || total <= Math.round(et.incomeLimit * (1 + et.perMemberWithoutIncome * withoutIncome) * 100) / 100) add(head, 'energy-social-tariff', null, true);
  }
  return out;
}
