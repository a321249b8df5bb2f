/**
 * An independent reference for the offers engine: plain SQL over the seeded
 * databases (read directly, as only a test may) and a straightforward
 * computation from the child's side, with none of the engine's code except the
 * parameter data file. It must find exactly the engine's (citizen, programme, amount).
 */
import pg from 'pg';
import type { DatabaseUrls } from '../../platform/databases.ts';
import { parametersFor } from '../../subgraphs/benefits/rules/parameters.ts';

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

export type Triple = `${string}|${string}|${string}`;

export async function referenceOffers(urls: DatabaseUrls, today: string): Promise<Set<Triple>> {
  const lastYear = Number(today.slice(0, 4)) - 1;
  const people = await rows<{ id: string; dob: string; dod: string | null }>(
    urls.identity, `SELECT id, date_of_birth::text AS dob, date_of_death::text AS dod FROM citizen`);
  const income = await rows<{ id: string; total: string }>(
    urls.tax, `SELECT person_id AS id, round(sum(amount), 2)::text AS total FROM income WHERE year = ${lastYear} GROUP BY 1`);
  const taxpayers = await rows<{ id: string; years: number }>(urls.tax, `SELECT person_id AS id, insured_years AS years FROM taxpayer`);
  const parentage = await rows<{ parent: string; child: string }>(
    urls.family, `SELECT parent_id AS parent, child_id AS child FROM parentage ORDER BY child_id, parent_role DESC, parent_id`);
  const homes = await rows<{ id: string; home: string }>(urls.family, `SELECT person_id AS id, household_id::text AS home FROM household_member`);
  const enrolments = await rows<{ id: string; programme: string; status: string; since: string; amount: string | null }>(
    urls.benefits, `SELECT person_id AS id, programme_code AS programme, status, since::text AS since, monthly_amount::text AS amount FROM enrolment`);
  const optedOut = new Set((await rows<{ id: string }>(urls.benefits, `SELECT person_id AS id FROM beneficiary WHERE proactive_opt_out`)).map((r) => r.id));

  const person = new Map(people.map((p) => [p.id, p]));
  const incomeOf = new Map(income.map((r) => [r.id, Number(r.total)]));
  const yearsOf = new Map(taxpayers.map((r) => [r.id, r.years]));
  const homeOf = new Map(homes.map((r) => [r.id, r.home]));
  const residents = new Map<string, string[]>();
  for (const { id, home } of homes) residents.set(home, [...(residents.get(home) ?? []), id]);
  const parentsOf = new Map<string, string[]>();
  for (const { parent, child } of parentage) parentsOf.set(child, [...(parentsOf.get(child) ?? []), parent]);
  const current = (id: string, programme: string) => {
    const own = enrolments.filter((e) => e.id === id && e.programme === programme && e.status !== 'ended');
    return own.length ? own.reduce((s, e) => s + Number(e.amount ?? 0), 0) : null;
  };
  const alive = (id: string) => person.get(id)?.dod === null;

  // Children by claimant: the first parent on the record who lives with the child; nobody if that parent died.
  const claimed = new Map<string, { id: string; dob: string; parents: number }[]>();
  for (const [child, parents] of parentsOf) {
    const c = person.get(child);
    const home = homeOf.get(child);
    if (!c || c.dod !== null || home === undefined) continue;
    const claimant = parents.find((p) => homeOf.get(p) === home);
    if (!claimant || !alive(claimant)) continue;
    claimed.set(claimant, [...(claimed.get(claimant) ?? []), { id: child, dob: c.dob, parents: parents.length }]);
  }

  const out = new Set<Triple>();
  const add = (id: string, programme: string, amount: number | null, automatic: boolean) => {
    if (!automatic && optedOut.has(id)) return;
    out.add(`${id}|${programme}|${amount === null ? 'null' : amount.toFixed(2)}`);
  };
  const topUp = (id: string, programme: string, entitled: number, automatic = false) => {
    const now = current(id, programme);
    if (entitled > 0 && (now === null || now < entitled)) add(id, programme, entitled, automatic);
  };

  const bg = parametersFor('birth-grant', today).values as Record<string, number>;
  const ca = parametersFor('child-allowance', today).values as Record<string, number>;
  const lf = parametersFor('large-family-allowance', today).values as Record<string, number>;
  const sp = parametersFor('single-parent-allowance', today).values as Record<string, number>;
  const li = parametersFor('low-income-child-supplement', today).values as Record<string, number>;
  const op = parametersFor('old-age-pension', today).values as Record<string, number>;
  const et = parametersFor('energy-social-tariff', today).values as { incomeLimit: number; perFurtherMemberWithoutIncome: number; listedBenefits: string[] };

  for (const [id, kids] of claimed) {
    // Birth grant: per birthday within the window, unless a grant was decided since that birth.
    const births = new Map<string, number>();
    for (const k of kids) if (k.dob >= plusDays(today, -bg.claimWindowDays!) && k.dob <= today) births.set(k.dob, (births.get(k.dob) ?? 0) + 1);
    for (const [born, n] of births) {
      if (enrolments.some((e) => e.id === id && e.programme === 'birth-grant' && e.since >= born)) continue;
      add(id, 'birth-grant', n * (n >= bg.tripletsFrom! ? bg.perChildTripletsOrMore! : bg.perChild!), false);
    }
    const u16 = kids.filter((k) => youngerThan(k.dob, ca.maxAge!, today)).length;
    topUp(id, 'child-allowance', Math.min(u16, 2) * ca.firstAndSecond! + Math.max(0, u16 - 2) * ca.thirdOn!);
    topUp(id, 'large-family-allowance', u16 >= lf.largeFrom! ? lf.largeAmount! : u16 >= lf.from! ? lf.amount! : 0);
    topUp(id, 'single-parent-allowance', sp.perChild! * kids.filter((k) => k.parents === 1 && youngerThan(k.dob, sp.maxAge!, today)).length);
    const u18 = kids.filter((k) => youngerThan(k.dob, li.maxAge!, today)).length;
    const home = homeOf.get(id)!;
    const householdIncome = (residents.get(home) ?? []).reduce((s, m) => s + (incomeOf.get(m) ?? 0), 0);
    if (u18 > 0 && householdIncome <= li.householdIncomeLimit!) topUp(id, 'low-income-child-supplement', li.perChild! * u18, true);
  }

  for (const p of people) {
    if (p.dod !== null) continue;
    if ((yearsOf.get(p.id) ?? 0) >= op.minInsuredYears! && today >= plusMonths(plusYears(p.dob, op.pensionAge!), -op.offerMonthsBefore!) && current(p.id, 'old-age-pension') === null) {
      add(p.id, 'old-age-pension', null, false);
    }
  }

  // Energy tariff, per household: the living adult with the lowest code, when nobody has it yet.
  const households = new Map<string, string[]>(residents);
  for (const p of people) if (!homeOf.has(p.id)) households.set(`alone:${p.id}`, [p.id]);
  for (const members of households.values()) {
    const living = members.filter(alive);
    const head = living.filter((m) => !youngerThan(person.get(m)!.dob, 18, today)).sort()[0];
    if (!head) continue;
    if (living.some((m) => current(m, 'energy-social-tariff') !== null)) continue;
    const listed = living.some((m) => et.listedBenefits.some((code) => current(m, code) !== null));
    const total = living.reduce((s, m) => s + (incomeOf.get(m) ?? 0), 0);
    const others = living.filter((m) => m !== head && !(incomeOf.get(m) ?? 0)).length;
    if (listed || total <= et.incomeLimit * (1 + et.perFurtherMemberWithoutIncome * others)) add(head, 'energy-social-tariff', null, true);
  }
  return out;
}
