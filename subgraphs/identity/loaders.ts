import { oneRowPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';

export interface CitizenRow {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  date_of_death: string | null;
  sex: 'F' | 'M';
  citizenship: string;
  municipality: string | null;
  postal_code: string | null;
  street_address: string | null;
  email: string | null;
  phone: string | null;
  preferred_language: string;
}

export const CITIZEN_COLUMNS = `id, given_name, family_name, date_of_birth, date_of_death, sex, citizenship,
  municipality, postal_code, street_address, email, phone, preferred_language`;

export function createLoaders(db: Database) {
  return {
    citizenById: oneRowPerKey<CitizenRow>(db, `SELECT ${CITIZEN_COLUMNS} FROM citizen WHERE id = ANY($1)`, (row) => row.id),
  };
}

export type IdentityLoaders = ReturnType<typeof createLoaders>;
