/**
 * The synthetic population: deterministic, valid codes, the personas and the
 * life situations the offers work relies on, and a loader that puts exactly
 * the generated rows into real PostgreSQL (own embedded server, fresh folder).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../platform/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addYears, ageOn, dayOf, dayOfDate, parseDay, type Day } from '../seed/calendar.ts';
import { copyText, COPY_LINE } from '../seed/copy-format.ts';
import { employerRows, findHousehold, generatePopulation, rowsOfPerson, type Household, type PopulationOptions } from '../seed/generate.ts';
import { isSeeded, SeedError, seedDatabases } from '../seed/load.ts';
import { checkDigit, isValidPersonalCode } from '../seed/personal-code.ts';
import { STAFF_PERSONA_ROLES, personaByRole, personas } from '../seed/personas.ts';
import { Random } from '../seed/random.ts';
import { HOUSEHOLD_TABLES, SEED_TABLES, TABLE_DATABASE, type HouseholdRows, type SeedTable } from '../seed/rows.ts';
import { AGENCY_NAMES } from '../platform/topology.ts';
import { agencyMigrationsDir } from '../subgraphs/folders.ts';
import { migrate } from '../platform/migrate.ts';
import { startEmbeddedPostgres, type DatabaseUrls } from '../platform/databases.ts';

const TODAY = new Date('2025-03-10T00:00:00Z');
const today: Day = dayOfDate(TODAY);
const POPULATION: PopulationOptions = { citizens: 2_000, seed: 7, today: TODAY };
const LOW_INCOME_LIMIT = 25_725;

const day = (iso: string): Day => {
  const parsed = parseDay(iso);
  if (parsed === undefined) throw new Error(`not a date: ${iso}`);
  return parsed;
};

/** All households' rows merged, table by table. */
function merged(households: readonly Household[]): HouseholdRows {
  const all = Object.fromEntries(HOUSEHOLD_TABLES.map((t) => [t, [] as unknown[]])) as Record<SeedTable, unknown[]>;
  for (const household of households) for (const table of HOUSEHOLD_TABLES) all[table].push(...household.rows[table]);
  return all as unknown as HouseholdRows;
}

function countRows(households: Iterable<Household>): Record<SeedTable, number> {
  const counts = Object.fromEntries(SEED_TABLES.map((t) => [t, 0])) as Record<SeedTable, number>;
  counts.employer = employerRows().length;
  for (const household of households) for (const table of HOUSEHOLD_TABLES) counts[table] += household.rows[table].length;
  return counts;
}

const population = [...generatePopulation(POPULATION)];
const rows = merged(population);
const citizenById = new Map(rows.citizen.map((c) => [c.id, c]));
const childrenOf = (parentId: string) => rows.parentage.filter((p) => p.parent_id === parentId).map((p) => citizenById.get(p.child_id)!);
const parentsOf = (childId: string) => rows.parentage.filter((p) => p.child_id === childId);
const householdOf = new Map(rows.household_member.map((m) => [m.person_id, m.household_id]));
const lastYear = TODAY.getUTCFullYear() - 1;
const incomeOf = (personId: string, year = lastYear) =>
  rows.income.filter((i) => i.person_id === personId && i.year === year).reduce((sum, i) => sum + i.amount, 0);
const householdIncome = (householdId: number) =>
  rows.household_member.filter((m) => m.household_id === householdId).reduce((sum, m) => sum + incomeOf(m.person_id), 0);
const insuredYears = new Map(rows.taxpayer.map((t) => [t.person_id, t.insured_years]));
const alive = rows.citizen.filter((c) => c.date_of_death === null);
const ageOf = (id: string) => ageOn(day(citizenById.get(id)!.date_of_birth), today);

describe('seeded random numbers', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 20 }, () => random.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32)); // high bits of the seed count too
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const random = new Random(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(random.int(2, 5));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('draws normals with the requested mean and spread', () => {
    const random = new Random(9);
    const values = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });
});

describe('personal identification codes', () => {
  it('computes the isikukood check digit, including the second weight round', () => {
    expect(isValidPersonalCode('37605030299')).toBe(true); // the well-known valid example
    expect(isValidPersonalCode('37605030298')).toBe(false);
    // A code whose first-round remainder is 10, so the second weights decide.
    const firstRoundTen = [...Array(100).keys()].map((d) => `37605030${String(d).padStart(2, '0')}`).find((t) => {
      let sum = 0;
      for (let i = 0; i < 10; i++) sum += Number(t[i]) * [1, 2, 3, 4, 5, 6, 7, 8, 9, 1][i]!;
      return sum % 11 === 10;
    });
    expect(firstRoundTen).toBeDefined();
    let second = 0;
    for (let i = 0; i < 10; i++) second += Number(firstRoundTen![i]) * [3, 4, 5, 6, 7, 8, 9, 1, 2, 3][i]!;
    expect(checkDigit(firstRoundTen!)).toBe(second % 11 === 10 ? 0 : second % 11);
  });

  it('gives every person a unique, valid 11-digit code that does not encode a real birth date', () => {
    const ids = rows.citizen.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[3-6]\d{10}$/);
      expect(isValidPersonalCode(id)).toBe(true);
      expect(Number(id.slice(3, 5))).toBeGreaterThanOrEqual(20); // no real month: never a real person's code
    }
  });
});

describe('generation', () => {
  it('is deterministic: same seed, today and size give identical rows', () => {
    const again = [...generatePopulation(POPULATION)];
    expect(JSON.stringify(again.map((h) => h.rows))).toBe(JSON.stringify(population.map((h) => h.rows)));
  });

  it('gives different rows for a different seed, yet the same personas', () => {
    const other = [...generatePopulation({ ...POPULATION, seed: 8 })];
    expect(JSON.stringify(merged(other).citizen)).not.toBe(JSON.stringify(rows.citizen));
    const personaRows = (hs: Household[]) => JSON.stringify(hs.filter((h) => h.source === 'persona').map((h) => h.rows));
    expect(personaRows(other)).toBe(personaRows(population));
  });

  it('keeps persona codes fixed while their dates follow today', () => {
    const later = new Date('2026-01-20T00:00:00Z');
    const mother = personaByRole('newborn-mother').id;
    const before = findHousehold(POPULATION, mother)!;
    const after = findHousehold({ ...POPULATION, today: later }, mother)!;
    expect(after.rows.citizen.map((c) => c.id)).toEqual(before.rows.citizen.map((c) => c.id));
    const baby = (h: Household) => h.rows.citizen.find((c) => c.given_name === 'Sofia')!;
    expect(dayOfDate(later) - day(baby(after).date_of_birth)).toBe(10);
    expect(today - day(baby(before).date_of_birth)).toBe(10);
  });

  it('makes exactly the requested number of citizens, at any size', () => {
    expect(rows.citizen).toHaveLength(2_000);
    for (const citizens of [19, 20, 23, 1_000]) {
      expect(countRows(generatePopulation({ ...POPULATION, citizens })).citizen).toBe(citizens);
    }
    expect(() => [...generatePopulation({ ...POPULATION, citizens: 18 })]).toThrow(/at least 19/);
  });

  it('emits the personas first, then the required situations, then random households', () => {
    const sources = population.map((h) => h.source);
    expect(sources.slice(0, 4)).toEqual(['persona', 'persona', 'persona', 'persona']);
    expect(sources.lastIndexOf('required')).toBeLessThan(sources.indexOf('random'));
    expect(sources.lastIndexOf('persona')).toBeLessThan(sources.indexOf('required'));
  });

  it('only refers to people who exist, and every person has their register rows', () => {
    const people = new Set(citizenById.keys());
    const referenced = [
      ...rows.parentage.flatMap((r) => [r.parent_id, r.child_id]),
      ...rows.partnership.flatMap((r) => [r.person_a, r.person_b]),
      ...rows.guardianship.flatMap((r) => [r.guardian_id, r.ward_id]),
      ...rows.life_event.flatMap((r) => [r.person_id, ...(r.related_person_id ? [r.related_person_id] : [])]),
      ...rows.enrolment.map((r) => r.person_id),
      ...rows.payment.map((r) => r.person_id),
      ...rows.income.map((r) => r.person_id),
    ];
    expect(referenced.filter((id) => !people.has(id))).toEqual([]);
    for (const table of ['taxpayer', 'civil_status', 'beneficiary'] as const) {
      expect(new Set(rows[table].map((r) => r.person_id))).toEqual(people);
    }
    // The living have a household; the dead have a date of death and none.
    expect(rows.household_member).toHaveLength(alive.length);
    const enrolments = new Map(rows.enrolment.map((e) => [e.id, e]));
    for (const payment of rows.payment) expect(enrolments.get(payment.enrolment_id)?.person_id).toBe(payment.person_id);
    const employers = new Set(employerRows().map((e) => e.id));
    expect(rows.employment.every((e) => employers.has(e.employer_id))).toBe(true);
  });

  it('keeps registers consistent with each other', () => {
    for (const g of rows.guardianship) {
      const ward = citizenById.get(g.ward_id)!;
      expect(g.since).toBe(ward.date_of_birth);
      const eighteenth = addYears(day(ward.date_of_birth), 18);
      expect(day(g.until!)).toBeLessThanOrEqual(eighteenth);
    }
    for (const c of rows.citizen) {
      expect(insuredYears.get(c.id)!).toBeLessThanOrEqual(Math.max(0, ageOf(c.id) - 16));
      if (c.date_of_death) expect(c.date_of_death >= c.date_of_birth).toBe(true);
    }
    for (const a of rows.assessment) {
      const total = rows.income.filter((i) => i.person_id === a.person_id && i.year === a.year).reduce((s, i) => s + i.amount, 0);
      expect(a.taxable_income).toBeCloseTo(total, 2);
      expect(a.assessed_tax).toBeCloseTo(Math.max(0, a.taxable_income - 7_848) * 0.2, 1);
      expect(Math.abs(a.withheld_tax - a.assessed_tax)).toBeLessThanOrEqual(a.assessed_tax * 0.25 + 1);
      expect(day(a.assessed_on)).toBeLessThanOrEqual(today);
    }
    // Children have no income; adults of working age mostly do, but not all.
    expect(rows.income.filter((i) => ageOf(i.person_id) < 18)).toEqual([]);
    const workingAge = alive.filter((c) => ageOf(c.id) >= 25 && ageOf(c.id) < 60);
    const earning = workingAge.filter((c) => incomeOf(c.id) > 0).length / workingAge.length;
    expect(earning).toBeGreaterThan(0.7);
    expect(earning).toBeLessThan(0.98);
    // Birth events: one on the child, one on each recorded parent.
    const births = rows.life_event.filter((e) => e.kind === 'birth');
    expect(births.filter((e) => e.related_person_id === null)).toHaveLength(rows.citizen.length);
    expect(births.filter((e) => e.related_person_id !== null)).toHaveLength(rows.parentage.length);
  });

  it('has a plausible population structure', () => {
    const share = (predicate: (age: number) => boolean) => alive.filter((c) => predicate(ageOf(c.id))).length / alive.length;
    expect(share((a) => a < 18)).toBeGreaterThan(0.14);
    expect(share((a) => a < 18)).toBeLessThan(0.3);
    expect(share((a) => a >= 65)).toBeGreaterThan(0.12);
    expect(share((a) => a >= 90)).toBeGreaterThan(0);
    expect(rows.citizen.some((c) => c.date_of_death !== null)).toBe(true);
    const statuses = new Set(rows.civil_status.map((s) => s.marital_status));
    expect(statuses).toEqual(new Set(['single', 'married', 'divorced', 'widowed']));
    expect(rows.citizen.filter((c) => c.citizenship === 'EST').length / rows.citizen.length).toBeGreaterThan(0.75);
    expect(new Set(rows.citizen.map((c) => c.preferred_language))).toEqual(new Set(['et', 'ru', 'en']));
    expect(rows.partnership.some((p) => p.kind === 'registered_partnership')).toBe(true);
    expect(rows.enrolment.some((e) => e.status === 'ended')).toBe(true);
    expect(rows.income.some((i) => i.kind === 'self_employment') && rows.income.some((i) => i.kind === 'capital')).toBe(true);
  });
});

describe('personas', () => {
  it('loads personas.json with every role, staff without personal codes', () => {
    const roles = personas().map((p) => p.role);
    expect(roles).toEqual(expect.arrayContaining(['newborn-mother', 'single-parent', 'large-family', 'near-retirement', 'caseworker', 'privacy-officer']));
    for (const persona of personas()) {
      if ((STAFF_PERSONA_ROLES as readonly string[]).includes(persona.role)) {
        expect(persona.id).toMatch(/^staff-\d{4}$/);
        expect(citizenById.has(persona.id)).toBe(false);
      } else {
        const citizen = citizenById.get(persona.id);
        expect(citizen, persona.role).toBeDefined();
        expect(`${citizen!.given_name} ${citizen!.family_name}`).toBe(persona.name);
      }
    }
  });

  it('newborn-mother: a baby born ~10 days ago, whose father is her current spouse', () => {
    const mother = personaByRole('newborn-mother').id;
    const baby = childrenOf(mother).find((c) => today - day(c.date_of_birth) <= 42)!;
    expect(baby).toBeDefined();
    expect(today - day(baby.date_of_birth)).toBe(10);
    const father = parentsOf(baby.id).find((p) => p.parent_role === 'father')!.parent_id;
    const marriage = rows.partnership.find((p) => [p.person_a, p.person_b].includes(mother) && p.until === null)!;
    expect([marriage.person_a, marriage.person_b]).toContain(father);
    expect(marriage.kind).toBe('marriage');
    expect(householdOf.get(baby.id)).toBe(householdOf.get(mother));
    // Not yet in any benefit: that is what the proactive offer is for.
    expect(rows.enrolment.filter((e) => e.person_id === mother && e.programme_code === 'birth-grant' && day(e.since) > day(baby.date_of_birth))).toEqual([]);
    expect(rows.guardianship.filter((g) => g.ward_id === baby.id).map((g) => g.guardian_id).sort()).toEqual([mother, father].sort());
  });

  it('single-parent: low income, one child whose birth record names no second parent', () => {
    const parent = personaByRole('single-parent').id;
    const children = childrenOf(parent);
    expect(children).toHaveLength(2);
    expect(children.map((c) => parentsOf(c.id).length).sort()).toEqual([1, 2]);
    expect(householdIncome(householdOf.get(parent)!)).toBeLessThanOrEqual(LOW_INCOME_LIMIT);
    expect(rows.partnership.filter((p) => [p.person_a, p.person_b].includes(parent) && p.until === null)).toEqual([]);
  });

  it('large-family: seven children under 16, not yet receiving the large family allowance', () => {
    const parent = personaByRole('large-family').id;
    const children = childrenOf(parent);
    expect(children).toHaveLength(7);
    expect(children.every((c) => ageOf(c.id) < 16 && householdOf.get(c.id) === householdOf.get(parent))).toBe(true);
    const household = rows.household_member.filter((m) => m.household_id === householdOf.get(parent)).map((m) => m.person_id);
    expect(rows.enrolment.filter((e) => household.includes(e.person_id) && e.programme_code === 'large-family-allowance')).toEqual([]);
    expect(rows.enrolment.some((e) => household.includes(e.person_id) && e.programme_code === 'child-allowance' && e.status === 'active')).toBe(true);
  });

  it('near-retirement: turns 65 within 12 months with at least 15 insured years', () => {
    const person = personaByRole('near-retirement').id;
    const sixtyFifth = addYears(day(citizenById.get(person)!.date_of_birth), 65);
    expect(sixtyFifth).toBeGreaterThan(today);
    expect(sixtyFifth).toBeLessThanOrEqual(addYears(today, 1));
    expect(insuredYears.get(person)).toBeGreaterThanOrEqual(15);
  });

  it('finds a persona’s expected rows for end-to-end comparisons', () => {
    const id = personaByRole('single-parent').id;
    const own = rowsOfPerson(findHousehold(POPULATION, id)!, id);
    expect(own.citizen).toHaveLength(1);
    expect(own.parentage).toHaveLength(2);
    expect(own.income.every((i) => i.person_id === id)).toBe(true);
    expect(own.life_event.every((e) => e.person_id === id)).toBe(true);
    expect(findHousehold(POPULATION, '00000000000')).toBeUndefined();
  });
});

describe('life situations the proactive offers need (2,000 citizens)', () => {
  const recent = (c: { date_of_birth: string }) => today - day(c.date_of_birth) <= 42 && day(c.date_of_birth) <= today;

  it('births in the last 6 weeks, including triplets', () => {
    const babies = alive.filter(recent);
    expect(babies.length).toBeGreaterThanOrEqual(4);
    const byMotherAndDay = new Map<string, number>();
    for (const baby of babies) {
      const mother = parentsOf(baby.id).find((p) => p.parent_role === 'mother')!.parent_id;
      const key = `${mother}/${baby.date_of_birth}`;
      byMotherAndDay.set(key, (byMotherAndDay.get(key) ?? 0) + 1);
    }
    expect(Math.max(...byMotherAndDay.values())).toBeGreaterThanOrEqual(3);
  });

  it('births whose record names no second parent, recent ones included', () => {
    const children = new Set(rows.parentage.map((p) => p.child_id));
    const oneParent = [...children].filter((id) => parentsOf(id).length === 1);
    expect(oneParent.length).toBeGreaterThanOrEqual(3);
    expect(oneParent.some((id) => recent(citizenById.get(id)!))).toBe(true);
    for (const id of oneParent) expect(parentsOf(id)[0]!.parent_role).toBe('mother');
  });

  it('families with 3–6 and with 7 or more children', () => {
    const sizes = [...new Set(rows.parentage.filter((p) => p.parent_role === 'mother').map((p) => p.parent_id))].map((m) => childrenOf(m).length);
    expect(sizes.some((n) => n >= 3 && n <= 6)).toBe(true);
    expect(sizes.some((n) => n >= 7)).toBe(true);
  });

  it('low-income households with children', () => {
    const households = new Set(alive.filter((c) => ageOf(c.id) < 18).map((c) => householdOf.get(c.id)!));
    const low = [...households].filter((h) => householdIncome(h) <= LOW_INCOME_LIMIT);
    expect(low.length).toBeGreaterThanOrEqual(3);
    expect(low.length).toBeLessThan(households.size); // most families are not
  });

  it('teenagers turning 18 within the next months', () => {
    const soon = alive.filter((c) => {
      const eighteenth = addYears(day(c.date_of_birth), 18);
      return eighteenth > today && eighteenth <= today + 183;
    });
    expect(soon.length).toBeGreaterThanOrEqual(2);
  });

  it('64-year-olds both with and without 15 insured years', () => {
    const sixtyFour = alive.filter((c) => ageOf(c.id) === 64);
    expect(sixtyFour.some((c) => insuredYears.get(c.id)! >= 15)).toBe(true);
    expect(sixtyFour.some((c) => insuredYears.get(c.id)! < 15)).toBe(true);
  });

  it('pensioners: old-age pension for people over 65 with at least 15 insured years only', () => {
    const pensions = rows.enrolment.filter((e) => e.programme_code === 'old-age-pension' && e.status !== 'ended');
    expect(pensions.length).toBeGreaterThan(0);
    for (const e of pensions) {
      expect(ageOf(e.person_id)).toBeGreaterThanOrEqual(65);
      expect(insuredYears.get(e.person_id)).toBeGreaterThanOrEqual(15);
    }
  });
});

describe('COPY text format', () => {
  it('escapes the COPY metacharacters and nothing else', () => {
    expect(copyText("O'Brien")).toBe("O'Brien");
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText(null)).toBe('\\N');
    const line = COPY_LINE.citizen({ ...rows.citizen[0]!, given_name: 'Tab\there', email: null });
    expect(line.split('\t')).toHaveLength(14);
    expect(line).toContain('Tab\\there');
    expect(line.endsWith('\n')).toBe(true);
  });
});

// ------------------------------------------------------------------ loading into PostgreSQL


describe('loading into PostgreSQL', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let urls: DatabaseUrls;

  const query = async <R extends pg.QueryResultRow>(database: keyof DatabaseUrls, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: urls[database] });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const databaseCounts = async () => {
    const counts = {} as Record<SeedTable, number>;
    for (const table of SEED_TABLES) {
      counts[table] = Number((await query<{ n: string }>(TABLE_DATABASE[table], `SELECT count(*) AS n FROM ${table}`))[0]!.n);
    }
    return counts;
  };
  const schemaShape = async () => {
    const shape: string[] = [];
    for (const database of AGENCY_NAMES) {
      const indexes = await query<{ d: string }>(database, `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
      const keys = await query<{ d: string }>(database, `SELECT conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`);
      shape.push(...indexes.map((r) => `${database}: ${r.d}`), ...keys.map((r) => `${database}: ${r.d}`));
    }
    return shape;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-seed-test-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter this folder
    server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    urls = server.urls;
    for (const name of AGENCY_NAMES) await migrate(urls[name], agencyMigrationsDir(name));
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads exactly the generated rows, and reports them', async () => {
    expect(await isSeeded(urls.identity)).toBe(false);
    const shapeBefore = await schemaShape();
    const progress: number[] = [];
    const result = await seedDatabases(urls, { ...POPULATION, onProgress: (p) => progress.push(p.citizens) });

    const expected = countRows(population);
    expect(result.counts).toEqual(expected);
    expect(await databaseCounts()).toEqual(expected);
    expect(result.citizens).toBe(2_000);
    expect(progress.at(-1)).toBe(2_000);
    expect(await isSeeded(urls.identity)).toBe(true);
    // Indexes and foreign keys dropped for the load are all back.
    expect(await schemaShape()).toEqual(shapeBefore);
  });

  it('round-trips text that needs care (apostrophes, Estonian letters) and dates', async () => {
    const obrien = rows.citizen.filter((c) => c.family_name === "O'Brien");
    expect(obrien.length).toBeGreaterThan(0);
    const stored = await query<Record<string, unknown>>(
      'identity',
      `SELECT id, given_name, family_name, date_of_birth::text, date_of_death::text, street_address, email, ((registered_at AT TIME ZONE 'UTC')::date)::text AS registered_at
         FROM citizen WHERE id = ANY($1) ORDER BY id`,
      [[...obrien.map((c) => c.id), personaByRole('large-family').id]],
    );
    const wanted = [...obrien, citizenById.get(personaByRole('large-family').id)!]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, given_name: c.given_name, family_name: c.family_name, date_of_birth: c.date_of_birth, date_of_death: c.date_of_death, street_address: c.street_address, email: c.email, registered_at: c.registered_at }));
    expect(stored).toEqual(wanted);
    const money = await query<{ amount: string }>('tax', `SELECT amount::text FROM income WHERE person_id = $1 AND year = $2 AND kind = 'employment'`, [
      personaByRole('single-parent').id,
      lastYear,
    ]);
    expect(money).toEqual([{ amount: '14200.00' }]);
  });

  it('refuses to seed a non-empty population without reset, and changes nothing', async () => {
    const before = await databaseCounts();
    await expect(seedDatabases(urls, { ...POPULATION, seed: 99 })).rejects.toThrow(SeedError);
    await expect(seedDatabases(urls, { ...POPULATION, seed: 99 })).rejects.toThrow(/already hold a population.*reset/);
    expect(await databaseCounts()).toEqual(before);
  });

  it('replaces the population with reset, keeping the programme catalogue and id sequences usable', async () => {
    const smaller = { ...POPULATION, citizens: 1_200, seed: 11 };
    const result = await seedDatabases(urls, { ...smaller, reset: true });
    const expected = countRows(generatePopulation(smaller));
    expect(result.counts).toEqual(expected);
    expect(await databaseCounts()).toEqual(expected);
    const ids = await query<{ id: string }>('identity', 'SELECT id FROM citizen');
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set(merged([...generatePopulation(smaller)]).citizen.map((c) => c.id)));
    expect(Number((await query<{ n: string }>('benefits', 'SELECT count(*) AS n FROM programme'))[0]!.n)).toBe(7);
    // The next id a service assigns must not collide with a seeded one.
    const [row] = await query<{ id: string; max: string }>(
      'benefits',
      `WITH m AS (SELECT max(id) AS max FROM enrolment)
       INSERT INTO enrolment (person_id, programme_code, since, status) VALUES ('49431123454', 'birth-grant', '2025-01-01', 'active')
       RETURNING id, (SELECT max FROM m)`,
    );
    expect(Number(row!.id)).toBeGreaterThan(Number(row!.max));
  });

  it('rejects a population too small for the personas before touching the databases', async () => {
    await expect(seedDatabases(urls, { ...POPULATION, citizens: 5, reset: true })).rejects.toThrow(/at least 19/);
    expect(await isSeeded(urls.identity)).toBe(true);
  });
});

// A guard against silent drift of the dates the fixed TODAY relies on.
describe('calendar', () => {
  it('computes ages across leap days', () => {
    expect(ageOn(dayOf(2008, 2, 29), dayOf(2026, 2, 28))).toBe(17);
    expect(ageOn(dayOf(2008, 2, 29), dayOf(2026, 3, 1))).toBe(18);
    expect(parseDay('2025-02-29')).toBeUndefined();
  });
});
