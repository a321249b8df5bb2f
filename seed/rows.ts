/**
 * The rows the seed writes, one interface per table, with the database column
 * names as keys so that a row reads exactly like what SELECT * returns (dates
 * as YYYY-MM-DD, money as euros rounded to the cent).
 */
import type { DatabaseName } from '../platform/databases.ts';

export type IsoDate = string;

export interface CitizenRow {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: IsoDate;
  date_of_death: IsoDate | null;
  sex: 'F' | 'M';
  citizenship: string;
  municipality: string | null;
  postal_code: string | null;
  street_address: string | null;
  email: string | null;
  phone: string | null;
  preferred_language: string;
  /** Midnight UTC of this date; written explicitly so that a seeded row does not depend on when it was loaded. */
  registered_at: IsoDate;
}

export interface EmployerRow { id: string; name: string }
export interface TaxpayerRow { person_id: string; residency: 'resident' | 'non_resident'; country: string; insured_years: number }
export interface EmploymentRow { person_id: string; employer_id: string; since: IsoDate; until: IsoDate | null }
export type IncomeKind = 'employment' | 'self_employment' | 'capital' | 'pension';
export interface IncomeRow { person_id: string; year: number; kind: IncomeKind; amount: number }
export interface AssessmentRow {
  person_id: string;
  year: number;
  taxable_income: number;
  assessed_tax: number;
  withheld_tax: number;
  assessed_on: IsoDate;
}

export type MaritalStatus = 'single' | 'married' | 'divorced' | 'widowed';
export interface CivilStatusRow { person_id: string; marital_status: MaritalStatus }
export interface ParentageRow { parent_id: string; child_id: string; parent_role: 'mother' | 'father' | 'parent' }
export interface PartnershipRow {
  id: number;
  person_a: string;
  person_b: string;
  kind: 'marriage' | 'registered_partnership';
  since: IsoDate;
  until: IsoDate | null;
}
export interface HouseholdMemberRow { person_id: string; household_id: number }
export interface GuardianshipRow { guardian_id: string; ward_id: string; basis: 'parent' | 'court'; since: IsoDate; until: IsoDate | null }
export type LifeEventKind = 'birth' | 'marriage' | 'divorce' | 'death' | 'move';
export interface LifeEventRow { id: number; person_id: string; kind: LifeEventKind; occurred_on: IsoDate; related_person_id: string | null }

export interface BeneficiaryRow { person_id: string; proactive_opt_out: boolean }
export type ProgrammeCode =
  | 'birth-grant'
  | 'child-allowance'
  | 'large-family-allowance'
  | 'single-parent-allowance'
  | 'low-income-child-supplement'
  | 'old-age-pension'
  | 'energy-social-tariff';
export interface EnrolmentRow {
  id: number;
  person_id: string;
  programme_code: ProgrammeCode;
  since: IsoDate;
  until: IsoDate | null;
  monthly_amount: number | null;
  status: 'active' | 'suspended' | 'ended';
  /** The child a birth grant was for. */
  child_id: string | null;
}
export interface PaymentRow { id: number; enrolment_id: number; person_id: string; paid_on: IsoDate; amount: number }

export type StudyLevel = 'basic' | 'general_secondary' | 'vocational';
export interface StudyRow { person_id: string; institution_code: string; institution_name: string; level: StudyLevel; since: IsoDate; until: IsoDate | null }

/** Every table the seed fills, by name. */
export interface SeedRowTypes {
  citizen: CitizenRow;
  employer: EmployerRow;
  taxpayer: TaxpayerRow;
  employment: EmploymentRow;
  income: IncomeRow;
  assessment: AssessmentRow;
  civil_status: CivilStatusRow;
  parentage: ParentageRow;
  partnership: PartnershipRow;
  household_member: HouseholdMemberRow;
  guardianship: GuardianshipRow;
  life_event: LifeEventRow;
  beneficiary: BeneficiaryRow;
  enrolment: EnrolmentRow;
  payment: PaymentRow;
  study: StudyRow;
}
export type SeedTable = keyof SeedRowTypes;

/** The employer register is fixed reference data; every other table is filled household by household. */
export type HouseholdTable = Exclude<SeedTable, 'employer'>;
export type HouseholdRows = { [T in HouseholdTable]: SeedRowTypes[T][] };

export const TABLE_DATABASE: Readonly<Record<SeedTable, DatabaseName>> = {
  citizen: 'identity',
  employer: 'tax',
  taxpayer: 'tax',
  employment: 'tax',
  income: 'tax',
  assessment: 'tax',
  civil_status: 'family',
  parentage: 'family',
  partnership: 'family',
  household_member: 'family',
  guardianship: 'family',
  life_event: 'family',
  beneficiary: 'benefits',
  enrolment: 'benefits',
  payment: 'benefits',
  study: 'education',
};

/** In foreign-key order: a referenced table comes before the tables referencing it. */
export const SEED_TABLES = Object.keys(TABLE_DATABASE) as SeedTable[];
export const HOUSEHOLD_TABLES = SEED_TABLES.filter((t): t is HouseholdTable => t !== 'employer');

/** Tables with a bigserial id the seed assigns itself; their sequences are moved past the seeded ids. */
export const SERIAL_TABLES = ['partnership', 'life_event', 'enrolment', 'payment'] as const satisfies readonly SeedTable[];

export function emptyHouseholdRows(): HouseholdRows {
  return {
    citizen: [],
    taxpayer: [],
    employment: [],
    income: [],
    assessment: [],
    civil_status: [],
    parentage: [],
    partnership: [],
    household_member: [],
    guardianship: [],
    life_event: [],
    beneficiary: [],
    enrolment: [],
    payment: [],
    study: [],
  };
}
