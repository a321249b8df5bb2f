/**
 * Building blocks for families: a person with consistent identity, contact,
 * civil and economic data, and the unions and births between people. Used by
 * the random sampler, the required life situations and the personas alike.
 */
import { ageOn, birthDayForAge, dayOf, type Day } from './calendar.ts';
import { buildEconomy, type EconomyOptions, type Profile } from './economy.ts';
import type { Birth, Family, Person, TakeUp, Union } from './family.ts';
import { drawGivenName, emailLocalPart, familyNameFor, type Language, type Sex } from './names.ts';
import type { PersonalCodeAllocator } from './personal-code.ts';
import type { Address } from './places.ts';
import type { Random } from './random.ts';
import type { IdCounters } from './records.ts';
import type { MaritalStatus } from './rows.ts';

/** What every builder needs: the fixed "today", a random stream, and the population-wide id sources. */
export interface Setting {
  today: Day;
  random: Random;
  codes: PersonalCodeAllocator;
  ids: IdCounters;
}

export interface PersonSpec {
  /** A fixed personal code (personas); otherwise the next free one. */
  id?: string;
  sex: Sex;
  born: Day;
  died?: Day | null;
  givenName?: string;
  /** The household's family name in its base form; the member's form is derived by sex. */
  familyName: string;
  language: Language;
  citizenship: string;
  householdId: number | null;
  address: Address | null;
  maritalStatus: MaritalStatus;
  movedIn?: Day | null;
  profile: Profile;
  economy?: EconomyOptions;
  /** When the person came to Estonia (immigrants); registration and insured years start there. */
  arrived?: Day | null;
  /** Personas have fixed contact details; false leaves them out. */
  email?: string | null;
  phone?: string | null;
  proactiveOptOut?: boolean;
}

const POPULATION_REGISTER_OPENED = dayOf(1992, 1, 1);
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

export function birthForAge(setting: Setting, age: number): Day {
  return birthDayForAge(setting.today, age, setting.random.int(0, 364));
}

export class FamilyBuilder {
  readonly family: Family;

  constructor(private readonly setting: Setting, takeUp: TakeUp) {
    this.family = { householdIds: [], people: [], unions: [], births: [], takeUp };
  }

  newHousehold(): number {
    const id = ++this.setting.ids.household;
    this.family.householdIds.push(id);
    return id;
  }

  person(spec: PersonSpec): Person {
    const { random, today, codes } = this.setting;
    const died = spec.died ?? null;
    const adult = ageOn(spec.born, died ?? today) >= 18;
    const givenName = spec.givenName ?? drawGivenName(random, spec.language, spec.sex);
    const familyName = familyNameFor(spec.familyName, spec.language, spec.sex);
    const alive = died === null;
    const email =
      spec.email !== undefined
        ? spec.email
        : alive && adult && random.chance(0.85)
          ? `${emailLocalPart(givenName, familyName)}${random.chance(0.4) ? random.int(1, 99) : ''}@${random.pick(EMAIL_DOMAINS)}`
          : null;
    const phone =
      spec.phone !== undefined
        ? spec.phone
        : alive && adult && random.chance(0.9)
          ? `+372 5${random.int(100, 999)} ${random.int(1000, 9999)}`
          : null;
    const arrived = spec.arrived ?? null;
    const registeredOn = arrived ?? (spec.born >= POPULATION_REGISTER_OPENED ? spec.born : POPULATION_REGISTER_OPENED + random.int(0, 730));
    const person: Person = {
      id: spec.id ?? codes.next(spec.sex, spec.born),
      sex: spec.sex,
      givenName,
      familyName,
      born: spec.born,
      died,
      citizenship: spec.citizenship,
      language: spec.language,
      householdId: alive ? spec.householdId : null,
      address: alive ? spec.address : null,
      email,
      phone,
      registeredOn,
      maritalStatus: spec.maritalStatus,
      movedIn: alive ? (spec.movedIn ?? null) : null,
      economy: buildEconomy(random, today, spec.born, died, spec.profile, { arrived, ...spec.economy }),
      proactiveOptOut: spec.proactiveOptOut ?? random.chance(0.03),
    };
    this.family.people.push(person);
    return person;
  }

  union(a: Person, b: Person, kind: Union['kind'], since: Day, until: Day | null = null, endedBy: Union['endedBy'] = null): Union {
    const union: Union = { a, b, kind, since, until, endedBy };
    this.family.unions.push(union);
    return union;
  }

  birth(child: Person, mother: Person, father?: Person): Birth {
    const birth: Birth = father ? { child, mother, father } : { child, mother };
    this.family.births.push(birth);
    return birth;
  }
}

/** The profile an adult of this age most likely has, when nothing else is known. */
export function drawAdultProfile(random: Random, age: number): Profile {
  if (age >= 65) return 'retired';
  if (age < 22) return random.chance(0.45) ? 'student' : random.chance(0.85) ? 'employee' : 'jobless';
  const r = random.next();
  if (age >= 63) return r < 0.6 ? 'employee' : r < 0.66 ? 'self_employed' : r < 0.85 ? 'retired' : 'jobless';
  return r < 0.79 ? 'employee' : r < 0.87 ? 'self_employed' : r < 0.985 ? 'jobless' : 'non_resident';
}

