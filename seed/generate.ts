/**
 * The synthetic population, household by household: first the personas'
 * households, then the required life situations, then random households
 * until exactly `citizens` people exist. A generator, so a million citizens
 * stream through in constant memory; deterministic, so the same seed, `today`
 * and size always give identical rows.
 */
import { dayOfDate, type Day } from './calendar.ts';
import { EMPLOYERS } from './employers.ts';
import type { Family } from './family.ts';
import { sampleFamily } from './household-sampler.ts';
import type { Setting } from './people.ts';
import { PERSONA_CITIZENS, PERSONA_HOUSEHOLDS, PERSONA_SEED } from './persona-households.ts';
import { citizenPersonas } from './personas.ts';
import { PersonalCodeAllocator } from './personal-code.ts';
import { Random } from './random.ts';
import { familyRows, newIdCounters } from './records.ts';
import { REQUIRED_SITUATIONS } from './required-situations.ts';
import { HOUSEHOLD_TABLES, type EmployerRow, type HouseholdRows, type HouseholdTable, type SeedRowTypes } from './rows.ts';

export interface PopulationOptions {
  /** Exact number of people (citizen rows, the deceased included), personas included. */
  citizens: number;
  seed: number;
  /** Only its UTC calendar date matters; every age and date is relative to it. */
  today: Date;
}

export interface Household {
  /** Position in the population, from 0. */
  index: number;
  source: 'persona' | 'required' | 'random';
  /** The persona role or required situation it was made for; 'random' otherwise. */
  label: string;
  family: Family;
  rows: HouseholdRows;
}

export { PERSONA_CITIZENS };

export function validatePopulationOptions({ citizens, seed, today }: PopulationOptions): void {
  if (!Number.isSafeInteger(citizens) || citizens < PERSONA_CITIZENS) {
    throw new RangeError(`citizens must be a whole number of at least ${PERSONA_CITIZENS} (the personas' households), got ${citizens}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
  if (!(today instanceof Date) || Number.isNaN(today.getTime())) throw new RangeError('today must be a valid date');
}

export function* generatePopulation(options: PopulationOptions): Generator<Household, void, undefined> {
  validatePopulationOptions(options);
  const today: Day = dayOfDate(options.today);
  const codes = new PersonalCodeAllocator(citizenPersonas().map((p) => p.id));
  const ids = newIdCounters();
  let index = 0;
  let remaining = options.citizens;

  const emit = (source: Household['source'], label: string, family: Family, random: Random): Household => {
    remaining -= family.people.length;
    if (remaining < 0) throw new Error(`internal: household "${label}" overshot the population size`);
    return { index: index++, source, label, family, rows: familyRows(family, today, random, ids) };
  };

  // The personas come first and from their own random stream, so they are identical for every seed.
  const personaSetting: Setting = { today, random: new Random(PERSONA_SEED), codes, ids };
  for (const persona of PERSONA_HOUSEHOLDS) {
    const family = persona.build(personaSetting);
    if (family.people.length !== persona.size) throw new Error(`internal: persona ${persona.role} has ${family.people.length} people, expected ${persona.size}`);
    yield emit('persona', persona.role, family, personaSetting.random);
  }

  const setting: Setting = { today, random: new Random(options.seed), codes, ids };
  for (const situation of REQUIRED_SITUATIONS) {
    if (options.citizens < situation.minPopulation || situation.size > remaining) continue;
    const family = situation.build(setting);
    if (family.people.length !== situation.size) throw new Error(`internal: ${situation.label} has ${family.people.length} people, expected ${situation.size}`);
    yield emit('required', situation.label, family, setting.random);
  }

  while (remaining > 0) yield emit('random', 'random', sampleFamily(setting, remaining), setting.random);
}

/** The employer register (the same for every population). */
export function employerRows(): EmployerRow[] {
  return EMPLOYERS.map((e) => ({ id: e.id, name: e.name }));
}

/** The household a person belongs to (their own record is in it), or undefined. Personas are found at once. */
export function findHousehold(options: PopulationOptions, personId: string): Household | undefined {
  for (const household of generatePopulation(options)) {
    if (household.family.people.some((p) => p.id === personId)) return household;
  }
  return undefined;
}

/** Columns that hold a personal code, per table: a row concerns a person when any of them is theirs. */
const PERSON_COLUMNS: { readonly [T in HouseholdTable]: readonly (keyof SeedRowTypes[T])[] } = {
  citizen: ['id'],
  taxpayer: ['person_id'],
  employment: ['person_id'],
  income: ['person_id'],
  assessment: ['person_id'],
  civil_status: ['person_id'],
  parentage: ['parent_id', 'child_id'],
  partnership: ['person_a', 'person_b'],
  household_member: ['person_id'],
  guardianship: ['guardian_id', 'ward_id'],
  life_event: ['person_id'],
  beneficiary: ['person_id'],
  enrolment: ['person_id'],
  payment: ['person_id'],
  study: ['person_id'],
};

function rowsConcerning<T extends HouseholdTable>(table: T, rows: readonly SeedRowTypes[T][], personId: string): SeedRowTypes[T][] {
  const columns = PERSON_COLUMNS[table];
  return rows.filter((row) => columns.some((column) => row[column] === personId));
}

/**
 * Every row that is about one person: their own records (life events are the
 * person's own), and relations naming them on either side (parentage,
 * partnership, guardianship). Household-mates' rows are in `household.rows`.
 */
export function rowsOfPerson(household: Household, personId: string): HouseholdRows {
  const result = {} as Record<HouseholdTable, unknown[]>;
  for (const table of HOUSEHOLD_TABLES) result[table] = rowsConcerning(table, household.rows[table] as never, personId);
  return result as HouseholdRows;
}

/** The generator's rows for one person in the population `options` describes, or undefined if no such person. */
export function expectedRowsOf(options: PopulationOptions, personId: string): HouseholdRows | undefined {
  const household = findHousehold(options, personId);
  return household && rowsOfPerson(household, personId);
}

