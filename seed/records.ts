/**
 * Turns a Family into the rows each agency's register holds about it. All the
 * cross-register consistency lives here: a birth becomes parentage,
 * guardianship and life events; incomes become assessments; ages, children and
 * incomes decide which benefits a family already receives.
 */
import { addYears, ageOn, dayOf, firstOfNextMonth, formatDay, yearOf, type Day } from './calendar.ts';
import { cents, incomeYears, taxableIncome } from './economy.ts';
import type { Birth, Family, Person } from './family.ts';
import type { Random } from './random.ts';
import { emptyHouseholdRows, type EnrolmentRow, type HouseholdRows, type LifeEventKind, type ProgrammeCode, type StudyLevel } from './rows.ts';

/** Running ids shared by the whole population (the tables' bigserial columns, and dwellings). */
export interface IdCounters {
  household: number;
  partnership: number;
  lifeEvent: number;
  enrolment: number;
  payment: number;
}

export const newIdCounters = (): IdCounters => ({ household: 0, partnership: 0, lifeEvent: 0, enrolment: 0, payment: 0 });

/** Births this recent have not reached the benefits register yet: exactly what a proactive offer is for. */
export const RECENT_BIRTH_DAYS = 42;
/** Household taxable income at or below which a family counts as low-income (last calendar year). */
export const LOW_INCOME_LIMIT = 25_725;
/** Estonian basic exemption and flat income tax rate. */
const BASIC_EXEMPTION = 7_848;
const TAX_RATE = 0.2;

export const BENEFIT_AMOUNTS = {
  childAllowanceFirstTwo: 80,
  childAllowanceThirdOn: 100,
  largeFamily3to6: 650,
  largeFamily7plus: 850,
  singleParentPerChild: 80,
  lowIncomePerChild: 60,
  energyTariff: 15,
  birthGrant: 320,
  birthGrantTripletsEach: 1_000,
} as const;

export function pensionAmount(insuredYears: number): number {
  return cents(230 + 13.5 * insuredYears);
}

interface Context {
  today: Day;
  random: Random;
  ids: IdCounters;
  rows: HouseholdRows;
}

function lifeEvent(ctx: Context, person: Person, kind: LifeEventKind, on: Day, related: Person | null): void {
  ctx.rows.life_event.push({
    id: ++ctx.ids.lifeEvent,
    person_id: person.id,
    kind,
    occurred_on: formatDay(on),
    related_person_id: related?.id ?? null,
  });
}

function personRows(ctx: Context, person: Person): void {
  const { rows } = ctx;
  rows.citizen.push({
    id: person.id,
    given_name: person.givenName,
    family_name: person.familyName,
    date_of_birth: formatDay(person.born),
    date_of_death: person.died === null ? null : formatDay(person.died),
    sex: person.sex,
    citizenship: person.citizenship,
    municipality: person.address?.municipality ?? null,
    postal_code: person.address?.postalCode ?? null,
    street_address: person.address?.street ?? null,
    email: person.email,
    phone: person.phone,
    preferred_language: person.language,
    registered_at: formatDay(person.registeredOn),
  });
  rows.civil_status.push({ person_id: person.id, marital_status: person.maritalStatus });
  if (person.householdId !== null) rows.household_member.push({ person_id: person.id, household_id: person.householdId });
  rows.beneficiary.push({ person_id: person.id, proactive_opt_out: person.proactiveOptOut });
  lifeEvent(ctx, person, 'birth', person.born, null);
  if (person.movedIn !== null) lifeEvent(ctx, person, 'move', person.movedIn, null);
  if (person.died !== null) lifeEvent(ctx, person, 'death', person.died, null);
  taxRows(ctx, person);
}

function taxRows(ctx: Context, person: Person): void {
  const { rows, random, today } = ctx;
  const { economy } = person;
  rows.taxpayer.push({ person_id: person.id, residency: economy.residency, country: economy.country, insured_years: economy.insuredYears });
  for (const job of economy.jobs) {
    rows.employment.push({ person_id: person.id, employer_id: job.employerId, since: formatDay(job.since), until: job.until === null ? null : formatDay(job.until) });
  }
  for (const income of economy.incomes) rows.income.push({ person_id: person.id, year: income.year, kind: income.kind, amount: income.amount });
  for (const year of incomeYears(today)) {
    const taxable = taxableIncome(economy, year);
    if (taxable <= 0) continue;
    // Assessments are issued from mid-March of the following year; a year not yet assessed has none.
    const assessedOn = dayOf(year + 1, 3, 15) + random.int(0, 75);
    if (assessedOn > today) continue;
    const assessed = cents(Math.max(0, taxable - BASIC_EXEMPTION) * TAX_RATE);
    // Withholding overshoots slightly more often than it falls short: most balances are small refunds.
    const withheld = cents(Math.max(0, assessed * (1 + random.normal(0.015, 0.04))));
    rows.assessment.push({ person_id: person.id, year, taxable_income: taxable, assessed_tax: assessed, withheld_tax: withheld, assessed_on: formatDay(assessedOn) });
  }
}

function unionRows(ctx: Context, family: Family): void {
  for (const union of family.unions) {
    if (union.kind === 'cohabitation') continue;
    ctx.rows.partnership.push({
      id: ++ctx.ids.partnership,
      person_a: union.a.id,
      person_b: union.b.id,
      kind: union.kind,
      since: formatDay(union.since),
      until: union.until === null ? null : formatDay(union.until),
    });
    // The life-event register knows marriages; a registered partnership has no event kind of its own.
    if (union.kind === 'marriage') {
      lifeEvent(ctx, union.a, 'marriage', union.since, union.b);
      lifeEvent(ctx, union.b, 'marriage', union.since, union.a);
    }
    if (union.until !== null && union.endedBy === 'divorce') {
      lifeEvent(ctx, union.a, 'divorce', union.until, union.b);
      lifeEvent(ctx, union.b, 'divorce', union.until, union.a);
    }
    if (union.until !== null && union.endedBy === 'death') {
      const [survivor, deceased] = union.a.died !== null ? [union.b, union.a] : [union.a, union.b];
      lifeEvent(ctx, survivor, 'death', union.until, deceased);
    }
  }
}

function birthRows(ctx: Context, birth: Birth): void {
  const { rows } = ctx;
  const { child } = birth;
  const eighteenth = addYears(child.born, 18);
  const parents: [Person, 'mother' | 'father' | 'parent'][] = [[birth.mother, 'mother']];
  if (birth.father) parents.push([birth.father, birth.father.sex === 'M' ? 'father' : 'parent']);
  for (const [parent, role] of parents) {
    rows.parentage.push({ parent_id: parent.id, child_id: child.id, parent_role: role });
    lifeEvent(ctx, parent, 'birth', child.born, child);
    // Parental guardianship lasts until the 18th birthday, or ends earlier with the parent's death.
    const until = parent.died !== null && parent.died < eighteenth ? parent.died : eighteenth;
    rows.guardianship.push({ guardian_id: parent.id, ward_id: child.id, basis: 'parent', since: formatDay(child.born), until: formatDay(until) });
  }
}

// ---------------------------------------------------------------- benefits

/** The 20th of each month is pay day; the latest `count` pay days not after today and not before `since`. */
function payDays(today: Day, since: Day, count: number): Day[] {
  const date = new Date(today * 86_400_000);
  let year = date.getUTCFullYear();
  let month = date.getUTCMonth() + 1;
  const days: Day[] = [];
  while (days.length < count) {
    const payDay = dayOf(year, month, 20);
    if (payDay < since) break;
    if (payDay <= today) days.push(payDay);
    if (--month === 0) {
      month = 12;
      year--;
    }
  }
  return days;
}

function enrol(
  ctx: Context,
  person: Person,
  programme: ProgrammeCode,
  since: Day,
  monthlyAmount: number,
  ended: Day | null = null,
): EnrolmentRow {
  // A few active enrolments are suspended (e.g. while a residence is checked); they are not paid.
  const status = ended !== null ? 'ended' : ctx.random.chance(0.01) ? 'suspended' : 'active';
  const row: EnrolmentRow = {
    id: ++ctx.ids.enrolment,
    person_id: person.id,
    programme_code: programme,
    since: formatDay(since),
    until: ended === null ? null : formatDay(ended),
    monthly_amount: monthlyAmount,
    status,
    child_id: null,
  };
  ctx.rows.enrolment.push(row);
  if (status === 'active') {
    for (const paidOn of payDays(ctx.today, since, 3)) {
      ctx.rows.payment.push({ id: ++ctx.ids.payment, enrolment_id: row.id, person_id: person.id, paid_on: formatDay(paidOn), amount: monthlyAmount });
    }
  }
  return row;
}

function birthGrant(ctx: Context, recipient: Person, births: readonly Birth[], birth: Birth): void {
  const sameDay = births.filter((b) => b.child.born === birth.child.born && b.mother === birth.mother).length;
  const amount = sameDay >= 3 ? BENEFIT_AMOUNTS.birthGrantTripletsEach : BENEFIT_AMOUNTS.birthGrant;
  const decided = birth.child.born + 14;
  const row: EnrolmentRow = {
    id: ++ctx.ids.enrolment,
    person_id: recipient.id,
    programme_code: 'birth-grant',
    since: formatDay(decided),
    until: formatDay(decided),
    monthly_amount: null,
    status: 'ended',
    child_id: birth.child.id,
  };
  ctx.rows.enrolment.push(row);
  ctx.rows.payment.push({ id: ++ctx.ids.payment, enrolment_id: row.id, person_id: recipient.id, paid_on: formatDay(decided + 7), amount });
}

/** Sum of last year's taxable income of everyone living in the dwelling. */
export function householdIncome(people: readonly Person[], householdId: number, today: Day): number {
  const lastYear = yearOf(today) - 1;
  let sum = 0;
  for (const person of people) if (person.householdId === householdId) sum += taxableIncome(person.economy, lastYear);
  return cents(sum);
}

function benefitRows(ctx: Context, family: Family): void {
  const { today } = ctx;
  const { takeUp } = family;
  const recentCutoff = today - RECENT_BIRTH_DAYS;

  // Child benefits go to the parent the children live with, the mother when both do.
  const byRecipient = new Map<Person, Birth[]>();
  for (const birth of family.births) {
    if (birth.child.died !== null || birth.child.householdId === null) continue;
    const candidates = [birth.mother, birth.father].filter(
      (p): p is Person => p !== undefined && p.died === null && p.householdId === birth.child.householdId,
    );
    const recipient = candidates[0];
    if (!recipient) continue;
    byRecipient.set(recipient, [...(byRecipient.get(recipient) ?? []), birth]);
  }

  for (const [recipient, births] of byRecipient) {
    const sorted = [...births].sort((x, y) => x.child.born - y.child.born);
    const known = sorted.filter((b) => b.child.born <= recentCutoff);
    const eligible = known.filter((b) => ageOn(b.child.born, today) < 16);
    const householdId = recipient.householdId!;

    if (takeUp.birthGrant) {
      for (const birth of known) if (birth.child.born > addYears(today, -3)) birthGrant(ctx, recipient, family.births, birth);
    }
    if (eligible.length > 0) {
      if (takeUp.childAllowance) {
        let amount = 0;
        eligible.forEach((_, i) => (amount += i < 2 ? BENEFIT_AMOUNTS.childAllowanceFirstTwo : BENEFIT_AMOUNTS.childAllowanceThirdOn));
        enrol(ctx, recipient, 'child-allowance', firstOfNextMonth(eligible[0]!.child.born), amount);
      }
      if (takeUp.largeFamily && eligible.length >= 3) {
        const amount = eligible.length >= 7 ? BENEFIT_AMOUNTS.largeFamily7plus : BENEFIT_AMOUNTS.largeFamily3to6;
        enrol(ctx, recipient, 'large-family-allowance', firstOfNextMonth(eligible[2]!.child.born), amount);
      }
      const oneParent = eligible.filter((b) => b.father === undefined);
      if (takeUp.singleParent && oneParent.length > 0) {
        enrol(ctx, recipient, 'single-parent-allowance', firstOfNextMonth(oneParent[0]!.child.born), cents(BENEFIT_AMOUNTS.singleParentPerChild * oneParent.length));
      }
      if (takeUp.lowIncomeSupplement && householdIncome(family.people, householdId, today) <= LOW_INCOME_LIMIT) {
        const since = Math.max(firstOfNextMonth(eligible[0]!.child.born), firstOfNextMonth(today - ctx.random.int(60, 700)));
        enrol(ctx, recipient, 'low-income-child-supplement', since, cents(BENEFIT_AMOUNTS.lowIncomePerChild * eligible.length));
      }
    } else if (takeUp.childAllowance && known.length > 0) {
      // Children who outgrew the allowance: an ended enrolment remains in the register.
      const youngest = known[known.length - 1]!.child;
      const ended = addYears(youngest.born, 16);
      if (ended > addYears(today, -10)) {
        enrol(ctx, recipient, 'child-allowance', firstOfNextMonth(known[0]!.child.born), BENEFIT_AMOUNTS.childAllowanceFirstTwo, ended);
      }
    }
  }

  if (takeUp.energyTariff) {
    const householdId = family.householdIds[0]!;
    const head = family.people.find((p) => p.householdId === householdId && ageOn(p.born, today) >= 18);
    if (head && householdIncome(family.people, householdId, today) <= LOW_INCOME_LIMIT) {
      enrol(ctx, head, 'energy-social-tariff', firstOfNextMonth(today - ctx.random.int(30, 1500)), BENEFIT_AMOUNTS.energyTariff);
    }
  }

  for (const person of family.people) {
    const pension = pensionOf(family, person, today);
    if (pension) enrol(ctx, person, 'old-age-pension', pension.since, pension.amount, person.died);
  }
}

/** The old-age pension a person draws, if any: from the month after the 65th birthday, with 15 insured years, to those who lived to see it. */
function pensionOf(family: Family, person: Person, today: Day): { since: Day; amount: number } | null {
  if (!family.takeUp.pension) return null;
  const since = firstOfNextMonth(addYears(person.born, 65));
  if (person.economy.insuredYears < 15 || since > (person.died ?? today)) return null;
  return { since, amount: pensionAmount(person.economy.insuredYears) };
}

/**
 * Pensions are taxable income: the tax register holds each year's pension
 * (the pay days of that year it was paid on) beside earned income, so every
 * household income test and assessment sees it.
 */
function addPensionIncome(family: Family, today: Day): void {
  for (const person of family.people) {
    const pension = pensionOf(family, person, today);
    if (!pension) continue;
    const until = person.died ?? today;
    for (const year of incomeYears(today)) {
      let months = 0;
      for (let month = 1; month <= 12; month++) {
        const payDay = dayOf(year, month, 20);
        if (payDay >= pension.since && payDay <= until) months++;
      }
      if (months > 0) person.economy.incomes.push({ year, kind: 'pension', amount: cents(months * pension.amount) });
    }
  }
}

// ---------------------------------------------------------------- education

/** Schools of the education register (synthetic), by level. */
const SCHOOLS = {
  basic: [['70001', 'Kesklinna Põhikool'], ['70002', 'Järveotsa Põhikool'], ['70003', 'Raatuse Kool'], ['70004', 'Rae Põhikool'], ['70005', 'Pärnu Rääma Põhikool']],
  general_secondary: [['71001', 'Tallinna Reaalkool'], ['71002', 'Hugo Treffneri Gümnaasium'], ['71003', 'Pärnu Sütevaka Humanitaargümnaasium']],
  vocational: [['72001', 'Tallinna Tööstushariduskeskus'], ['72002', 'Tartu Kutsehariduskeskus'], ['72003', 'Pärnumaa Kutsehariduskeskus']],
} as const;

/** A stable choice per person, from their code: education adds rows without drawing from the population's random stream. */
function pick(id: string, salt: number, n: number): number {
  let h = salt;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % n;
}

/**
 * Schooling of the young: basic school from 1 September of the year a child
 * turns 7 to mid-June of the year they turn 16; then, for most, three years of
 * general upper secondary or vocational education (some leave early). Only
 * what has begun by today is in the register; a study ends with its student's death.
 */
function studyRows(ctx: Context, person: Person): void {
  const born = yearOf(person.born);
  if (born + 25 < yearOf(ctx.today)) return;
  const periods: [StudyLevel, Day, Day][] = [['basic', dayOf(born + 7, 9, 1), dayOf(born + 16, 6, 15)]];
  const next = pick(person.id, 7, 20);
  const level: StudyLevel | null = next < 11 ? 'general_secondary' : next < 17 ? 'vocational' : null;
  if (level) {
    const leaves = pick(person.id, 13, 10) === 0 ? dayOf(born + 17, 12, 20) : dayOf(born + 19, 6, 15);
    periods.push([level, dayOf(born + 16, 9, 1), leaves]);
  }
  for (const [kind, since, planned] of periods) {
    if (since > ctx.today) continue;
    const schools = SCHOOLS[kind];
    const [code, name] = schools[pick(person.id, kind.length, schools.length)]!;
    const end = person.died !== null && person.died < planned ? person.died : planned;
    if (end <= since) continue;
    ctx.rows.study.push({ person_id: person.id, institution_code: code, institution_name: name, level: kind, since: formatDay(since), until: end > ctx.today ? null : formatDay(end) });
  }
}

/** Every row of every register for one family, numbering serial ids from the shared counters. */
export function familyRows(family: Family, today: Day, random: Random, ids: IdCounters): HouseholdRows {
  const ctx: Context = { today, random, ids, rows: emptyHouseholdRows() };
  addPensionIncome(family, today);
  for (const person of family.people) personRows(ctx, person);
  for (const person of family.people) studyRows(ctx, person);
  unionRows(ctx, family);
  for (const birth of family.births) birthRows(ctx, birth);
  benefitRows(ctx, family);
  return ctx.rows;
}
