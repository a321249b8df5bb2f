import { oneRowPerKey, rowsPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';

export interface TaxpayerRow {
  id: string;
  residency: 'resident' | 'non_resident';
  country: string;
  insured_years: number;
}
export interface IncomeRow {
  person_id: string;
  year: number;
  kind: 'employment' | 'self_employment' | 'capital' | 'pension';
  amount: number;
}
export interface EmploymentRow {
  person_id: string;
  employer_id: string;
  employer_name: string;
  since: string;
  until: string | null;
}
export interface AssessmentRow {
  person_id: string;
  year: number;
  taxable_income: number;
  assessed_tax: number;
  withheld_tax: number;
  assessed_on: string;
}

export function createLoaders(db: Database) {
  return {
    taxpayerById: oneRowPerKey<TaxpayerRow>(
      db,
      'SELECT person_id AS id, residency, country, insured_years FROM taxpayer WHERE person_id = ANY($1)',
      (row) => row.id,
    ),
    incomesByPerson: rowsPerKey<IncomeRow>(
      db,
      'SELECT person_id, year, kind, amount FROM income WHERE person_id = ANY($1) ORDER BY year DESC, kind',
      (row) => row.person_id,
    ),
    employmentsByPerson: rowsPerKey<EmploymentRow>(
      db,
      `SELECT e.person_id, e.employer_id, r.name AS employer_name, e.since, e.until
         FROM employment e JOIN employer r ON r.id = e.employer_id
        WHERE e.person_id = ANY($1) ORDER BY e.since DESC`,
      (row) => row.person_id,
    ),
    assessmentsByPerson: rowsPerKey<AssessmentRow>(
      db,
      `SELECT person_id, year, taxable_income, assessed_tax, withheld_tax, assessed_on
         FROM assessment WHERE person_id = ANY($1) ORDER BY year DESC`,
      (row) => row.person_id,
    ),
  };
}

export type TaxLoaders = ReturnType<typeof createLoaders>;
