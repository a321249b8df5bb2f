/**
 * The personas' households, written out by hand so each persona is exactly
 * the situation its description promises. Dates are relative to `today`;
 * their random details come from a fixed stream, so the personas (and their
 * relatives' codes) are the same whatever the population seed.
 */
import { addYears, birthDayForAge, type Day } from './calendar.ts';
import type { Family, TakeUp } from './family.ts';
import { FamilyBuilder, type PersonSpec, type Setting } from './people.ts';
import { personaByRole, type CitizenPersonaRole } from './personas.ts';
import type { Address } from './places.ts';

/** The seed of the personas' random stream; never the population's. */
export const PERSONA_SEED = 0x9e850a5;

const NONE_CLAIMED: TakeUp = {
  childAllowance: false,
  largeFamily: false,
  singleParent: false,
  lowIncomeSupplement: false,
  energyTariff: false,
  pension: false,
  birthGrant: false,
};

function splitName(name: string): { givenName: string; familyName: string } {
  const space = name.indexOf(' ');
  return { givenName: name.slice(0, space), familyName: name.slice(space + 1) };
}

/** Estonian-speaking citizens at one address: the common part of every member's spec. */
function residents(householdId: number, address: Address, familyName: string) {
  return { familyName, language: 'et', citizenship: 'EST', householdId, address, proactiveOptOut: false } as const;
}

const child = (born: Day, movedIn: Day | null) =>
  ({ born, maritalStatus: 'single', movedIn: movedIn !== null && born < movedIn ? movedIn : null, profile: 'child', email: null, phone: null }) as const satisfies Partial<PersonSpec>;

function newbornMother(setting: Setting): Family {
  const { today } = setting;
  const persona = personaByRole('newborn-mother');
  const { givenName, familyName } = splitName(persona.name);
  const b = new FamilyBuilder(setting, { ...NONE_CLAIMED, childAllowance: true, birthGrant: true, pension: true });
  const home = b.newHousehold();
  const at = residents(home, { municipality: 'Tartu', postalCode: '50104', street: 'Tähe 27-14' }, familyName);
  const movedIn = today - 4 * 365 - 37;
  const mother = b.person({
    ...at, id: persona.id, givenName, sex: 'F', born: birthDayForAge(today, 31, 120), maritalStatus: 'married', movedIn,
    profile: 'employee', economy: { earnings: 26_400, capital: 0, insuredYears: 9, employedSince: today - 6 * 365 }, email: 'kadri.tamm@example.com', phone: '+372 5123 4567',
  });
  const father = b.person({
    ...at, givenName: 'Martin', sex: 'M', born: birthDayForAge(today, 33, 200), maritalStatus: 'married', movedIn,
    profile: 'employee', economy: { earnings: 31_800, capital: 420, insuredYears: 12, employedSince: today - 8 * 365 }, email: 'martin.tamm@example.net', phone: '+372 5234 5678',
  });
  b.union(mother, father, 'marriage', today - 5 * 365 - 80);
  const son = b.person({ ...at, ...child(birthDayForAge(today, 3, 150), movedIn), givenName: 'Robin', sex: 'M' });
  b.birth(son, mother, father);
  const baby = b.person({ ...at, ...child(today - 10, movedIn), givenName: 'Sofia', sex: 'F' });
  b.birth(baby, mother, father);
  return b.family;
}

function singleParent(setting: Setting): Family {
  const { today } = setting;
  const persona = personaByRole('single-parent');
  const { givenName, familyName } = splitName(persona.name);
  const b = new FamilyBuilder(setting, { ...NONE_CLAIMED, childAllowance: true, birthGrant: true, pension: true });
  const home = b.newHousehold();
  const at = residents(home, { municipality: 'Pärnu', postalCode: '80010', street: 'Riia mnt 12-5' }, familyName);
  const movedIn = today - 3 * 365 - 12;
  const parent = b.person({
    ...at, id: persona.id, givenName, sex: 'F', born: birthDayForAge(today, 29, 45), maritalStatus: 'single', movedIn,
    profile: 'employee', economy: { earnings: 14_200, capital: 0, insuredYears: 8, employedSince: today - 5 * 365 }, email: 'liis.kask@example.org', phone: '+372 5345 6789',
  });
  // The daughter's father: never married to Liis, living on his own elsewhere in Pärnu.
  const elsewhere = b.newHousehold();
  const father = b.person({
    ...residents(elsewhere, { municipality: 'Pärnu', postalCode: '80042', street: 'Lai 8' }, 'Lepp'), givenName: 'Andres', sex: 'M',
    born: birthDayForAge(today, 32, 300), maritalStatus: 'single', movedIn: today - 5 * 365, profile: 'employee',
    economy: { earnings: 23_900, capital: 0, insuredYears: 11, employedSince: today - 7 * 365 }, email: 'andres.lepp@example.com', phone: '+372 5456 7890',
  });
  b.union(parent, father, 'cohabitation', today - 9 * 365, today - 5 * 365 - 20, 'separation');
  const daughter = b.person({ ...at, ...child(birthDayForAge(today, 7, 60), movedIn), givenName: 'Mia', familyName: 'Lepp', sex: 'F' });
  b.birth(daughter, parent, father);
  const son = b.person({ ...at, ...child(birthDayForAge(today, 2, 90), movedIn), givenName: 'Oliver', sex: 'M' });
  b.birth(son, parent); // the birth record names no second parent
  return b.family;
}

function largeFamily(setting: Setting): Family {
  const { today } = setting;
  const persona = personaByRole('large-family');
  const { givenName, familyName } = splitName(persona.name);
  const b = new FamilyBuilder(setting, { ...NONE_CLAIMED, childAllowance: true, birthGrant: true, pension: true });
  const home = b.newHousehold();
  const at = residents(home, { municipality: 'Rae vald', postalCode: '75301', street: 'Männi 4' }, familyName);
  const movedIn = today - 10 * 365 - 100;
  const father = b.person({
    ...at, id: persona.id, givenName, sex: 'M', born: birthDayForAge(today, 41, 30), maritalStatus: 'married', movedIn,
    profile: 'employee', economy: { earnings: 38_500, capital: 0, insuredYears: 19, employedSince: today - 12 * 365 }, email: 'peeter.kuusk@example.com', phone: '+372 5567 8901',
  });
  const mother = b.person({
    ...at, givenName: 'Anu', sex: 'F', born: birthDayForAge(today, 39, 210), maritalStatus: 'married', movedIn,
    profile: 'jobless', economy: { capital: 0, insuredYears: 10 }, email: 'anu.kuusk@example.net', phone: '+372 5678 9012',
  });
  b.union(mother, father, 'marriage', today - 17 * 365);
  const children: [string, 'F' | 'M', number][] = [
    ['Karl', 'M', 15], ['Liisa', 'F', 12], ['Markus', 'M', 9], ['Eliise', 'F', 7], ['Jakob', 'M', 5], ['Mirtel', 'F', 3], ['Hugo', 'M', 1],
  ];
  for (const [name, sex, age] of children) {
    const kid = b.person({ ...at, ...child(birthDayForAge(today, age, 40 + age * 11), movedIn), givenName: name, sex });
    b.birth(kid, mother, father);
  }
  return b.family;
}

function nearRetirement(setting: Setting): Family {
  const { today } = setting;
  const persona = personaByRole('near-retirement');
  const { givenName, familyName } = splitName(persona.name);
  const b = new FamilyBuilder(setting, { ...NONE_CLAIMED, pension: true });
  const home = b.newHousehold();
  const at = residents(home, { municipality: 'Tallinn', postalCode: '10143', street: 'Kalevi 31-7' }, familyName);
  const movedIn = today - 30 * 365;
  const tiina = b.person({
    ...at, id: persona.id, givenName, sex: 'F', born: addYears(today, -65) + 100, maritalStatus: 'married', movedIn,
    profile: 'employee', economy: { earnings: 21_000, capital: 310, insuredYears: 42, employedSince: today - 20 * 365 }, email: 'tiina.mets@example.com', phone: '+372 5789 0123',
  });
  const juri = b.person({
    ...at, givenName: 'Jüri', sex: 'M', born: birthDayForAge(today, 67, 180), maritalStatus: 'married', movedIn,
    profile: 'retired', economy: { earnings: 0, capital: 0, insuredYears: 45 }, email: null, phone: '+372 5890 1234',
  });
  b.union(tiina, juri, 'marriage', today - 40 * 365);
  return b.family;
}

export const PERSONA_HOUSEHOLDS: ReadonlyArray<{ role: CitizenPersonaRole; size: number; build: (setting: Setting) => Family }> = [
  { role: 'newborn-mother', size: 4, build: newbornMother },
  { role: 'single-parent', size: 4, build: singleParent },
  { role: 'large-family', size: 9, build: largeFamily },
  { role: 'near-retirement', size: 2, build: nearRetirement },
];

/** The smallest population that still holds every persona. */
export const PERSONA_CITIZENS = PERSONA_HOUSEHOLDS.reduce((sum, h) => sum + h.size, 0);
