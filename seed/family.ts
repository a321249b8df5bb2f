/**
 * The generator's model of one household before it becomes rows: people, the
 * unions between them and the births that link parents to children. One
 * Family holds a dwelling's residents plus the relatives outside it that
 * their records name (a deceased spouse, a divorced parent living on their
 * own), so that every id a row refers to is generated in the same unit.
 */
import type { Day } from './calendar.ts';
import type { Economy } from './economy.ts';
import type { Language, Sex } from './names.ts';
import type { Address } from './places.ts';
import type { MaritalStatus } from './rows.ts';

export interface Person {
  id: string;
  sex: Sex;
  givenName: string;
  familyName: string;
  born: Day;
  died: Day | null;
  citizenship: string;
  language: Language;
  /** The dwelling; null for the deceased. */
  householdId: number | null;
  address: Address | null;
  email: string | null;
  phone: string | null;
  registeredOn: Day;
  maritalStatus: MaritalStatus;
  /** When the person moved to the current address (a `move` life event); null if born there. */
  movedIn: Day | null;
  economy: Economy;
  proactiveOptOut: boolean;
}

export interface Union {
  a: Person;
  b: Person;
  /** Cohabitation is a union in the household but not in the register: no partnership row. */
  kind: 'marriage' | 'registered_partnership' | 'cohabitation';
  since: Day;
  until: Day | null;
  endedBy: 'divorce' | 'death' | 'separation' | null;
}

export interface Birth {
  child: Person;
  mother: Person;
  /** Undefined when the birth record names no second parent. */
  father?: Person;
}

/** Which benefits this family has claimed where it is entitled (the rest are what proactive offers find). */
export interface TakeUp {
  childAllowance: boolean;
  largeFamily: boolean;
  singleParent: boolean;
  lowIncomeSupplement: boolean;
  energyTariff: boolean;
  pension: boolean;
  birthGrant: boolean;
}

export interface Family {
  /** The dwellings of the unit, the main one first. */
  householdIds: number[];
  people: Person[];
  unions: Union[];
  births: Birth[];
  takeUp: TakeUp;
}
