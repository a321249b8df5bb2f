import { rowsPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';

/** A person as the education register answers for them: anyone the population register names (their studies may be none). */
export interface LearnerRow {
  id: string;
}
export interface StudyRow {
  person_id: string;
  institution_code: string;
  institution_name: string;
  level: 'basic' | 'general_secondary' | 'vocational';
  since: string;
  until: string | null;
  /** Going on today (judged in SQL, so every caller agrees on what is current). */
  current: boolean;
}

export function createLoaders(db: Database) {
  return {
    studiesOf: rowsPerKey<StudyRow>(
      db,
      `SELECT person_id, institution_code, institution_name, level, since, until,
              (since <= current_date AND (until IS NULL OR until > current_date)) AS current
         FROM study WHERE person_id = ANY($1) ORDER BY since DESC, institution_code`,
      (row) => row.person_id,
    ),
  };
}

export type EducationLoaders = ReturnType<typeof createLoaders>;
