/**
 * Random households in roughly Estonian proportions: a third of people live
 * alone (many of them elderly and widowed), couples with and without children
 * at home, single parents (divorced, separated, widowed, or with a child whose
 * birth record names no second parent), with 0–9 children spaced like real
 * siblings and parents of plausible ages.
 */
import { addYears, ageOn, dayOf, type Day } from './calendar.ts';
import { incomeYears } from './economy.ts';
import type { Family, Person, TakeUp } from './family.ts';
import { drawFamilyName, type Language, type Sex } from './names.ts';
import { birthForAge, drawAdultProfile, FamilyBuilder, type PersonSpec, type Setting } from './people.ts';
import { drawAddress, drawMunicipality, type Address, type Municipality } from './places.ts';
import { Weighted, type Random } from './random.ts';
import type { MaritalStatus } from './rows.ts';

type Archetype = 'alone' | 'couple' | 'couple_with_children' | 'single_parent';
const ARCHETYPES = new Weighted<Archetype>([
  ['alone', 38],
  ['couple', 29],
  ['couple_with_children', 24],
  ['single_parent', 9],
]);

/** Children at home per family with children: most have one or two; 7+ is rare but real. */
const CHILDREN_IN_COUPLE = new Weighted<number>([[1, 42], [2, 38], [3, 13.3], [4, 4], [5, 1.5], [6, 0.6], [7, 0.3], [8, 0.12], [9, 0.05]]);
const CHILDREN_OF_SINGLE_PARENT = new Weighted<number>([[1, 60], [2, 30], [3, 7.5], [4, 2], [5, 0.5]]);

/** Age ranges [from, to] of people living alone and of couples without children at home. */
const AGE_ALONE = new Weighted<readonly [number, number]>([
  [[19, 29], 22], [[30, 44], 13], [[45, 64], 30], [[65, 74], 18], [[75, 84], 16], [[85, 94], 6.5], [[95, 102], 0.5],
]);
const AGE_COUPLE = new Weighted<readonly [number, number]>([
  [[21, 34], 22], [[35, 54], 14], [[55, 64], 28], [[65, 74], 21], [[75, 84], 12], [[85, 93], 3],
]);

const CITIZENSHIP_RU = new Weighted<string>([['EST', 55], ['RUS', 28], ['UKR', 12], ['BLR', 3], ['LVA', 2]]);
const CITIZENSHIP_EN = ['GBR', 'IRL', 'USA', 'FIN', 'DEU', 'ITA', 'FRA', 'LVA', 'LTU', 'POL', 'IND', 'SWE'];
const WAR_IN_UKRAINE = dayOf(2022, 2, 24);

export interface Origin {
  municipality: Municipality;
  language: Language;
  citizenship: string;
  familyName: string;
  /** When a household of immigrants arrived; null for people who have always lived here. */
  arrived: Day | null;
}

export function drawOrigin(setting: Setting): Origin {
  const { random, today } = setting;
  const municipality = drawMunicipality(random);
  const language: Language = random.chance(municipality.russianShare) ? 'ru' : random.chance(0.025) ? 'en' : 'et';
  let citizenship = 'EST';
  let arrived: Day | null = null;
  if (language === 'ru') {
    citizenship = CITIZENSHIP_RU.draw(random);
    if (citizenship === 'UKR' && random.chance(0.6)) arrived = random.int(WAR_IN_UKRAINE, Math.max(WAR_IN_UKRAINE, today - 30));
  } else if (language === 'en') {
    citizenship = random.pick(CITIZENSHIP_EN);
    arrived = today - random.int(200, 20 * 365);
  } else if (random.chance(0.01)) {
    citizenship = 'FIN';
  }
  return { municipality, language, citizenship, familyName: drawFamilyName(random, language), arrived };
}

export const DEFAULT_TAKE_UP = (random: Random): TakeUp => ({
  childAllowance: random.chance(0.93),
  largeFamily: random.chance(0.88),
  singleParent: random.chance(0.7),
  lowIncomeSupplement: random.chance(0.45),
  energyTariff: random.chance(0.25),
  pension: random.chance(0.97),
  birthGrant: random.chance(0.96),
});

/** A household being assembled: its dwelling, origin, and the builder collecting its people. */
export class Draft {
  readonly builder: FamilyBuilder;
  readonly householdId: number;
  readonly address: Address;

  constructor(readonly setting: Setting, readonly origin: Origin, takeUp: TakeUp = DEFAULT_TAKE_UP(setting.random)) {
    this.builder = new FamilyBuilder(setting, takeUp);
    this.householdId = this.builder.newHousehold();
    this.address = drawAddress(setting.random, origin.municipality);
  }

  /** Someone living in this dwelling. */
  resident(spec: Omit<PersonSpec, 'familyName' | 'language' | 'citizenship' | 'householdId' | 'address'> & Partial<PersonSpec>): Person {
    const { origin } = this;
    const arrived = origin.arrived !== null && origin.arrived > spec.born ? origin.arrived : null;
    return this.builder.person({
      familyName: origin.familyName,
      language: origin.language,
      citizenship: origin.citizenship,
      householdId: this.householdId,
      address: this.address,
      arrived,
      ...spec,
    });
  }

  /** Someone outside the dwelling the family's records name (an ex-partner in a home of their own, or the deceased). */
  relative(spec: Omit<PersonSpec, 'familyName' | 'language' | 'citizenship' | 'householdId' | 'address'> & Partial<PersonSpec>): Person {
    const { setting, origin } = this;
    const alive = (spec.died ?? null) === null;
    const householdId = alive ? this.builder.newHousehold() : null;
    return this.builder.person({
      familyName: origin.familyName,
      language: origin.language,
      citizenship: origin.citizenship,
      householdId,
      address: alive ? drawAddress(setting.random, origin.municipality) : null,
      movedIn: alive ? setting.today - setting.random.int(30, 3000) : null,
      ...spec,
    });
  }

  get family(): Family {
    return this.builder.family;
  }
}

const otherSex = (sex: Sex): Sex => (sex === 'F' ? 'M' : 'F');
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Birth dates of `count` siblings, eldest first: about 1–5 years apart, with the odd pair of twins. */
function siblingBirthDays(random: Random, today: Day, count: number): Day[] {
  const MIN_GAP = 330;
  const gaps: number[] = [];
  for (let i = 1; i < count; i++) {
    gaps.push(random.chance(0.015) ? 0 : random.int(MIN_GAP, 365 * 3) + (random.chance(0.3) ? random.int(0, 365 * 2) : 0));
  }
  // Children still at home are at most about 25, so the eldest and youngest are at most 24 years apart:
  // shrink only the part of each gap above the minimum, so siblings stay at least ~11 months apart.
  const maxSpan = 24 * 365;
  const span = gaps.reduce((sum, gap) => sum + gap, 0);
  if (span > maxSpan) {
    const spare = gaps.reduce((sum, gap) => sum + Math.max(0, gap - MIN_GAP), 0);
    const scale = (maxSpan - (span - spare)) / spare;
    for (let i = 0; i < gaps.length; i++) if (gaps[i]! > MIN_GAP) gaps[i] = MIN_GAP + Math.floor((gaps[i]! - MIN_GAP) * scale);
  }
  let youngest = today - random.int(0, 17 * 365 + 364);
  const eldestLimit = addYears(today, -25);
  const totalSpan = gaps.reduce((sum, gap) => sum + gap, 0);
  if (youngest - totalSpan < eldestLimit) youngest = eldestLimit + totalSpan + random.int(0, Math.max(0, today - eldestLimit - totalSpan));
  const days = [youngest];
  for (let i = gaps.length - 1; i >= 0; i--) days.unshift(days[0]! - gaps[i]!);
  return days;
}

/** A mother's birth date given her children's: first child at 19–40, last no later than 46. */
function motherBirthDay(setting: Setting, children: readonly Day[]): Day {
  const { random } = setting;
  const eldest = children[0]!;
  const youngest = children[children.length - 1]!;
  const ageAtFirst = clamp(Math.round(random.normal(28.5, 4.5)), 19, 40);
  let born = addYears(eldest, -ageAtFirst) - random.int(0, 364);
  if (born < addYears(youngest, -46)) born = addYears(youngest, -46) + random.int(0, 364);
  return Math.min(born, addYears(eldest, -18));
}

function partnerBirthDay(setting: Setting, born: Day, older: boolean, notAfter?: Day): Day {
  const { random } = setting;
  const gapYears = Math.abs(random.normal(2.5, 3));
  const day = Math.round(born + (older ? -1 : 1) * gapYears * 365.25);
  return notAfter === undefined ? day : Math.min(day, notAfter);
}

function childProfile(setting: Setting, born: Day) {
  const age = ageOn(born, setting.today);
  if (age < 18) return 'child' as const;
  return age >= 21 && setting.random.chance(0.5) ? ('employee' as const) : ('student' as const);
}

/** When adults moved to the current home: after both came of age and (for immigrants) arrived. */
function moveInDay(setting: Setting, earliest: Day): Day {
  const { random, today } = setting;
  const from = Math.min(earliest, today - 1);
  return random.int(Math.max(from, today - 40 * 365), today - 1);
}

// ---------------------------------------------------------------- archetypes

function alone(setting: Setting, budget: number): Family {
  const { random, today } = setting;
  const draft = new Draft(setting, drawOrigin(setting));
  const [from, to] = AGE_ALONE.draw(random);
  const age = random.int(from, to);
  const sex: Sex = random.chance(age >= 65 ? 0.68 : 0.45) ? 'F' : 'M';
  const born = birthForAge(setting, age);
  let status: MaritalStatus;
  const r = random.next();
  if (age >= 65) status = r < 0.55 ? 'widowed' : r < 0.75 ? 'divorced' : 'single';
  else if (age >= 30) status = r < 0.5 ? 'single' : r < 0.9 ? 'divorced' : 'widowed';
  else status = r < 0.95 ? 'single' : 'divorced';

  const movedIn = moveInDay(setting, Math.max(addYears(born, 18), draft.origin.arrived ?? -Infinity));
  const person = draft.resident({ sex, born, maritalStatus: status, movedIn, profile: drawAdultProfile(random, age) });

  // Most widowed people's late spouse is in the register too, with a date of death.
  const lastDeath = dayOf(incomeYears(today)[0]!, 1, 1) - 1;
  if (status === 'widowed' && budget >= 2 && random.chance(0.7) && draft.origin.arrived === null) {
    const spouseBorn = partnerBirthDay(setting, born, sex === 'F');
    const married = Math.max(addYears(born, 20), addYears(spouseBorn, 20)) + random.int(0, 3650);
    const earliestDeath = Math.max(married + 365, addYears(spouseBorn, 35));
    if (earliestDeath < lastDeath) {
      const died = random.int(earliestDeath, lastDeath);
      const spouse = draft.relative({ sex: otherSex(sex), born: spouseBorn, died, maritalStatus: 'married', profile: 'retired' });
      draft.builder.union(sex === 'F' ? spouse : person, sex === 'F' ? person : spouse, 'marriage', married, died, 'death');
    }
  }
  return draft.family;
}

function couple(setting: Setting): Family {
  const { random } = setting;
  const draft = new Draft(setting, drawOrigin(setting));
  const [from, to] = AGE_COUPLE.draw(random);
  const age = random.int(from, to);
  const womanBorn = birthForAge(setting, age);
  const kindRoll = random.next();
  const kind = age < 35
    ? kindRoll < 0.45 ? 'marriage' : kindRoll < 0.92 ? 'cohabitation' : 'registered_partnership'
    : age < 65
      ? kindRoll < 0.75 ? 'marriage' : kindRoll < 0.95 ? 'cohabitation' : 'registered_partnership'
      : kindRoll < 0.95 ? 'marriage' : 'cohabitation';
  // Registered partnerships are mostly same-sex couples.
  const sameSex = kind === 'registered_partnership' && random.chance(0.6);
  const firstSex: Sex = sameSex && random.chance(0.5) ? 'M' : 'F';
  const secondSex: Sex = sameSex ? firstSex : 'M';
  const secondBorn = partnerBirthDay(setting, womanBorn, secondSex === 'M', addYears(setting.today, -19));
  const comeOfAge = Math.max(addYears(womanBorn, 19), addYears(secondBorn, 19));
  const since = random.int(comeOfAge, Math.max(comeOfAge, setting.today - 30));
  const status: MaritalStatus = kind === 'cohabitation' ? (age >= 35 && random.chance(0.3) ? 'divorced' : 'single') : 'married';
  const movedIn = moveInDay(setting, Math.max(since, draft.origin.arrived ?? -Infinity));
  const first = draft.resident({ sex: firstSex, born: womanBorn, maritalStatus: status, movedIn, profile: drawAdultProfile(random, age) });
  const second = draft.resident({
    sex: secondSex,
    born: secondBorn,
    maritalStatus: status,
    movedIn,
    profile: drawAdultProfile(random, ageOn(secondBorn, setting.today)),
  });
  draft.builder.union(first, second, kind, since);
  return draft.family;
}

function coupleWithChildren(setting: Setting, budget: number): Family {
  const { random, today } = setting;
  const count = Math.min(CHILDREN_IN_COUPLE.draw(random), budget - 2);
  const draft = new Draft(setting, drawOrigin(setting));
  const children = siblingBirthDays(random, today, count);
  const motherBorn = motherBirthDay(setting, children);
  const fatherBorn = partnerBirthDay(setting, motherBorn, true, addYears(children[0]!, -19));
  const kindRoll = random.next();
  const kind = kindRoll < 0.55 ? 'marriage' : kindRoll < 0.97 ? 'cohabitation' : 'registered_partnership';
  const comeOfAge = Math.max(addYears(motherBorn, 19), addYears(fatherBorn, 19));
  const since = random.int(comeOfAge, Math.max(comeOfAge, today - 30));
  const status: MaritalStatus = kind === 'cohabitation' ? 'single' : 'married';
  const movedIn = moveInDay(setting, Math.max(comeOfAge, draft.origin.arrived ?? -Infinity));
  // Parents of many children are more often single-earner households.
  const lowEarner = count >= 3 ? 0.35 : 0.12;
  const motherProfile = random.chance(lowEarner) ? 'jobless' : drawAdultProfile(random, ageOn(motherBorn, today));
  const mother = draft.resident({ sex: 'F', born: motherBorn, maritalStatus: status, movedIn, profile: motherProfile });
  const father = draft.resident({ sex: 'M', born: fatherBorn, maritalStatus: status, movedIn, profile: drawAdultProfile(random, ageOn(fatherBorn, today)) });
  draft.builder.union(mother, father, kind, since);
  for (const born of children) {
    const child = draft.resident({
      sex: random.chance(0.51) ? 'M' : 'F',
      born,
      maritalStatus: 'single',
      movedIn: born < movedIn ? movedIn : null,
      profile: childProfile(setting, born),
    });
    draft.builder.birth(child, mother, father);
  }
  return draft.family;
}

function singleParent(setting: Setting, budget: number): Family {
  const { random, today } = setting;
  const withOther = budget >= 3;
  const count = Math.max(1, Math.min(CHILDREN_OF_SINGLE_PARENT.draw(random), budget - (withOther ? 2 : 1)));
  const draft = new Draft(setting, drawOrigin(setting));
  const children = siblingBirthDays(random, today, count);
  const motherBorn = motherBirthDay(setting, children);
  const fatherBorn = partnerBirthDay(setting, motherBorn, true, addYears(children[0]!, -19));
  const youngest = children[children.length - 1]!;
  const lastDeath = dayOf(incomeYears(today)[0]!, 1, 1) - 1;

  const roll = random.next();
  let situation: 'divorced' | 'separated' | 'no_second_parent' | 'widowed' = !withOther
    ? 'no_second_parent'
    : roll < 0.4 ? 'divorced' : roll < 0.7 ? 'separated' : roll < 0.92 ? 'no_second_parent' : 'widowed';
  if (situation === 'widowed' && youngest + 60 >= lastDeath) situation = 'divorced';
  // Children live mostly with their mother; a birth with one recorded parent always does.
  const parentSex: Sex = situation !== 'no_second_parent' && random.chance(0.12) ? 'M' : 'F';
  const parentBorn = parentSex === 'F' ? motherBorn : fatherBorn;
  const parentAge = ageOn(parentBorn, today);
  const profileRoll = random.next();
  const profile = profileRoll < 0.7 ? 'employee' : profileRoll < 0.8 ? 'self_employed' : 'jobless';
  const economy = profile === 'jobless' ? {} : { earnings: random.logNormal(parentAge < 25 ? 11_000 : 16_500, 0.5) };
  const status: MaritalStatus = situation === 'divorced' ? 'divorced' : situation === 'widowed' ? 'widowed' : 'single';
  const movedIn = moveInDay(setting, Math.max(addYears(parentBorn, 19), draft.origin.arrived ?? -Infinity));
  const parent = draft.resident({ sex: parentSex, born: parentBorn, maritalStatus: status, movedIn, profile, economy });

  let other: Person | undefined;
  const otherParentSex = otherSex(parentSex);
  const otherBorn = parentSex === 'F' ? fatherBorn : motherBorn;
  if (situation === 'divorced' || situation === 'separated') {
    const married = Math.max(addYears(motherBorn, 19), addYears(fatherBorn, 19), children[0]! - random.int(0, 3 * 365));
    // Separation usually follows the youngest child's birth; never before the union began.
    const ended = Math.min(today - 1, Math.max(married + 30, random.int(Math.min(youngest + 180, today - 60), today - 30)));
    other = draft.relative({
      sex: otherParentSex,
      born: otherBorn,
      maritalStatus: situation === 'divorced' ? 'divorced' : 'single',
      profile: drawAdultProfile(random, ageOn(otherBorn, today)),
      // The other parent keeps their own family name.
      familyName: random.chance(0.5) ? draft.origin.familyName : drawFamilyName(random, draft.origin.language),
    });
    const [a, b] = parentSex === 'F' ? [parent, other] : [other, parent];
    draft.builder.union(a, b, situation === 'divorced' ? 'marriage' : 'cohabitation', married, ended, situation === 'divorced' ? 'divorce' : 'separation');
  } else if (situation === 'widowed') {
    const married = Math.max(addYears(motherBorn, 19), addYears(fatherBorn, 19), children[0]! - random.int(0, 3 * 365));
    const died = random.int(youngest + 60, lastDeath);
    other = draft.relative({ sex: otherParentSex, born: otherBorn, died, maritalStatus: 'married', profile: 'employee' });
    const [a, b] = parentSex === 'F' ? [parent, other] : [other, parent];
    draft.builder.union(a, b, 'marriage', married, died, 'death');
  }

  const mother = parentSex === 'F' ? parent : other!;
  const father = parentSex === 'M' ? parent : other;
  for (const born of children) {
    const child = draft.resident({
      sex: random.chance(0.51) ? 'M' : 'F',
      born,
      maritalStatus: 'single',
      movedIn: born < movedIn ? movedIn : null,
      profile: childProfile(setting, born),
    });
    draft.builder.birth(child, mother, situation === 'no_second_parent' ? undefined : father);
  }
  return draft.family;
}

/** How many citizens each archetype can make at least, so a draw never overshoots the remaining budget. */
const MINIMUM_SIZE: Record<Archetype, number> = { alone: 1, couple: 2, couple_with_children: 3, single_parent: 2 };

/** One random family with at most `budget` people (the last families of a population are made to fit exactly). */
export function sampleFamily(setting: Setting, budget: number): Family {
  let archetype = ARCHETYPES.draw(setting.random);
  if (MINIMUM_SIZE[archetype] > budget) archetype = 'alone';
  switch (archetype) {
    case 'alone':
      return alone(setting, budget);
    case 'couple':
      return couple(setting);
    case 'couple_with_children':
      return coupleWithChildren(setting, budget);
    case 'single_parent':
      return singleParent(setting, budget);
  }
}

