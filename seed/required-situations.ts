/**
 * Life situations the proactive-offers work must always find, even in a small
 * population where chance alone might not produce them: recent births
 * (triplets too), a birth with no second parent, 3–6 children, a low-income
 * family, teenagers about to turn 18, 64-year-olds with and without 15 insured
 * years. Their details are drawn from the population's random stream.
 */
import { addYears, birthDayForAge, dayOf, type Day } from './calendar.ts';
import type { Family } from './family.ts';
import { Draft, drawOrigin, type Origin } from './household-sampler.ts';
import { birthForAge, type Setting } from './people.ts';
import { municipalityNamed, TALLINN } from './places.ts';

export interface RequiredSituation {
  label: string;
  /** Citizens the household adds (it is left out when the population has no room for it). */
  size: number;
  /** Left out of populations smaller than this. */
  minPopulation: number;
  build(setting: Setting): Family;
}

/** An Estonian-speaking household of citizens, so the situation does not depend on immigration rules. */
function estonianOrigin(setting: Setting): Origin {
  return { ...drawOrigin(setting), language: 'et', citizenship: 'EST', arrived: null };
}

function parentsOf(draft: Draft, children: readonly Day[], married: boolean, options: { motherJobless?: boolean; fatherEarnings?: number } = {}) {
  const { today, random } = draft.setting;
  const motherBorn = Math.min(addYears(children[0]!, -random.int(24, 31)), addYears(today, -20));
  const fatherBorn = motherBorn - random.int(0, 4 * 365);
  const since = Math.min(addYears(motherBorn, 21) + random.int(0, 365), children[0]! - 30);
  const status = married ? 'married' : 'single';
  const movedIn = Math.max(since, today - random.int(400, 4000));
  const mother = draft.resident({ sex: 'F', born: motherBorn, maritalStatus: status, movedIn, profile: options.motherJobless ? 'jobless' : 'employee', economy: options.motherJobless ? { capital: 0 } : {} });
  const father = draft.resident({
    sex: 'M', born: fatherBorn, maritalStatus: status, movedIn, profile: 'employee',
    economy: options.fatherEarnings === undefined ? {} : { earnings: options.fatherEarnings, capital: 0 },
  });
  draft.builder.union(mother, father, married ? 'marriage' : 'cohabitation', since);
  for (const born of children) {
    const kid = draft.resident({ sex: draft.setting.random.chance(0.5) ? 'F' : 'M', born, maritalStatus: 'single', movedIn: born < movedIn ? movedIn : null, profile: 'child' });
    draft.builder.birth(kid, mother, father);
  }
  return { mother, father };
}

export const REQUIRED_SITUATIONS: readonly RequiredSituation[] = [
  {
    label: 'recent-triplets',
    size: 5,
    minPopulation: 1_000,
    build(setting) {
      const draft = new Draft(setting, estonianOrigin(setting));
      const born = setting.today - setting.random.int(5, 35);
      parentsOf(draft, [born, born, born], true);
      return draft.family;
    },
  },
  {
    label: 'recent-birth-no-second-parent',
    size: 2,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, estonianOrigin(setting));
      const mother = draft.resident({
        sex: 'F', born: birthForAge(setting, random.int(20, 27)), maritalStatus: 'single', movedIn: today - random.int(200, 900),
        profile: 'employee', economy: { earnings: random.int(8_000, 13_000), capital: 0 },
      });
      const baby = draft.resident({ sex: random.chance(0.5) ? 'F' : 'M', born: today - random.int(3, 38), maritalStatus: 'single', profile: 'child' });
      draft.builder.birth(baby, mother);
      return draft.family;
    },
  },
  {
    label: 'four-children',
    size: 6,
    minPopulation: 0,
    build(setting) {
      const draft = new Draft(setting, estonianOrigin(setting));
      const { today, random } = setting;
      const children = [today - random.int(100, 2500)];
      for (let i = 1; i < 4; i++) children.unshift(children[0]! - random.int(400, 1400));
      parentsOf(draft, children, true);
      return draft.family;
    },
  },
  {
    label: 'low-income-family',
    size: 4,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, { ...estonianOrigin(setting), municipality: municipalityNamed('Narva'), language: 'ru' });
      const youngest = today - random.int(200, 2000);
      parentsOf(draft, [youngest - random.int(700, 1500), youngest], false, { motherJobless: true, fatherEarnings: random.int(12_000, 19_000) });
      return draft.family;
    },
  },
  {
    label: 'turning-18-soon',
    size: 4,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, estonianOrigin(setting));
      const eldest = addYears(today, -18) + random.int(15, 80);
      parentsOf(draft, [eldest, eldest + random.int(700, 2500)], true);
      return draft.family;
    },
  },
  {
    label: 'turning-18-in-months',
    size: 2,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, estonianOrigin(setting));
      const teen = addYears(today, -18) + random.int(100, 200);
      const mother = draft.resident({
        sex: 'F', born: addYears(teen, -random.int(22, 32)), maritalStatus: 'divorced', movedIn: teen + random.int(400, 4000), profile: 'employee',
      });
      const kid = draft.resident({ sex: random.chance(0.5) ? 'F' : 'M', born: teen, maritalStatus: 'single', movedIn: mother.movedIn, profile: 'child' });
      draft.builder.birth(kid, mother);
      return draft.family;
    },
  },
  {
    label: 'aged-64-arrived-recently',
    size: 1,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const arrived = Math.min(dayOf(2022, 3, 1) + random.int(0, 400), today - 30);
      const draft = new Draft(setting, { ...drawOrigin(setting), municipality: TALLINN, language: 'ru', citizenship: 'UKR', arrived });
      draft.resident({
        sex: random.chance(0.6) ? 'F' : 'M', born: birthDayForAge(today, 64, random.int(0, 364)), maritalStatus: 'widowed', movedIn: arrived,
        profile: 'employee', economy: { insuredYears: Math.max(0, Math.floor((today - arrived) / 365.25)) },
      });
      return draft.family;
    },
  },
  {
    label: 'aged-64-few-insured-years',
    size: 2,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, estonianOrigin(setting));
      const movedIn = today - random.int(2000, 9000);
      const wife = draft.resident({
        sex: 'F', born: birthDayForAge(today, 64, random.int(0, 364)), maritalStatus: 'married', movedIn,
        profile: 'jobless', economy: { insuredYears: random.int(6, 13) },
      });
      const husband = draft.resident({ sex: 'M', born: birthForAge(setting, 66), maritalStatus: 'married', movedIn, profile: 'retired' });
      draft.builder.union(wife, husband, 'marriage', addYears(wife.born, 23));
      return draft.family;
    },
  },
  {
    label: 'aged-64-full-insured-years',
    size: 1,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const draft = new Draft(setting, estonianOrigin(setting));
      draft.resident({
        sex: 'M', born: birthDayForAge(today, 64, random.int(0, 364)), maritalStatus: 'divorced', movedIn: today - random.int(500, 5000),
        profile: 'employee', economy: { insuredYears: random.int(38, 45) },
      });
      return draft.family;
    },
  },
  {
    // Names with apostrophes must survive COPY and GraphQL unchanged.
    label: 'apostrophe-names',
    size: 2,
    minPopulation: 0,
    build(setting) {
      const { today, random } = setting;
      const arrived = today - random.int(400, 3000);
      const draft = new Draft(setting, { municipality: TALLINN, language: 'en', citizenship: 'IRL', familyName: "O'Brien", arrived });
      const siobhan = draft.resident({ sex: 'F', givenName: 'Siobhan', born: birthForAge(setting, 36), maritalStatus: 'married', movedIn: arrived, profile: 'employee' });
      const sean = draft.resident({ sex: 'M', givenName: 'Seán', born: birthForAge(setting, 38), maritalStatus: 'married', movedIn: arrived, profile: 'employee' });
      draft.builder.union(siobhan, sean, 'marriage', arrived - random.int(300, 3000));
      return draft.family;
    },
  },
];
