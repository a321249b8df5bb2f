import { oneRowPerKey, rowsPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';

export interface CivilStatusRow {
  id: string;
  marital_status: 'single' | 'married' | 'divorced' | 'widowed';
}
/** A link from the person asked about (`key`) to another person (`other`). */
export interface LinkRow {
  key: string;
  other: string;
}
export interface LifeEventRow {
  person_id: string;
  kind: 'birth' | 'marriage' | 'divorce' | 'death' | 'move';
  occurred_on: string;
  related_person_id: string | null;
}

// Guardianship and partnership are judged "as of today" in SQL, so all callers agree on what is current.
export function createLoaders(db: Database) {
  const links = (sql: string) => rowsPerKey<LinkRow>(db, sql, (row) => row.key);
  return {
    civilStatusById: oneRowPerKey<CivilStatusRow>(
      db,
      'SELECT person_id AS id, marital_status FROM civil_status WHERE person_id = ANY($1)',
      (row) => row.id,
    ),
    // The birth mother first: rules take her as the default claimant (on a two-mother record too, where 'parent' would sort first).
    parentsOf: links(`SELECT child_id AS key, parent_id AS other FROM parentage WHERE child_id = ANY($1)
      ORDER BY CASE parent_role WHEN 'mother' THEN 0 WHEN 'father' THEN 1 ELSE 2 END, parent_id`),
    childrenOf: links('SELECT parent_id AS key, child_id AS other FROM parentage WHERE parent_id = ANY($1) ORDER BY child_id'),
    partnerOf: links(
      `SELECT p.person_a AS key, p.person_b AS other FROM partnership p WHERE p.person_a = ANY($1) AND p.until IS NULL
       UNION ALL
       SELECT p.person_b, p.person_a FROM partnership p WHERE p.person_b = ANY($1) AND p.until IS NULL`,
    ),
    householdOf: links(
      `SELECT m.person_id AS key, o.person_id AS other
         FROM household_member m JOIN household_member o ON o.household_id = m.household_id AND o.person_id <> m.person_id
        WHERE m.person_id = ANY($1) ORDER BY o.person_id`,
    ),
    guardiansOf: links(
      `SELECT ward_id AS key, guardian_id AS other FROM guardianship
        WHERE ward_id = ANY($1) AND since <= current_date AND (until IS NULL OR until > current_date) ORDER BY guardian_id`,
    ),
    wardsOf: links(
      `SELECT guardian_id AS key, ward_id AS other FROM guardianship
        WHERE guardian_id = ANY($1) AND since <= current_date AND (until IS NULL OR until > current_date) ORDER BY ward_id`,
    ),
    lifeEventsOf: rowsPerKey<LifeEventRow>(
      db,
      'SELECT person_id, kind, occurred_on, related_person_id FROM life_event WHERE person_id = ANY($1) ORDER BY occurred_on DESC, id',
      (row) => row.person_id,
    ),
  };
}

export type FamilyLoaders = ReturnType<typeof createLoaders>;
