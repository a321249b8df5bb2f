/**
 * DataLoader factories: one SQL statement per batch, keys passed as one array
 * parameter (`WHERE key = ANY($1)`), results put back in key order.
 */
import DataLoader from 'dataloader';
import type { Database } from '../../platform/database.ts';

/** At most one row per key (e.g. a citizen's record); missing keys give null. */
export function oneRowPerKey<R extends object>(db: Database, sql: string, keyOf: (row: R) => string) {
  return new DataLoader<string, R | null>(async (keys) => {
    const rows = await db.query<R>(sql, [keys]);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Any number of rows per key (e.g. a citizen's incomes), in the order the SQL returns them. */
export function rowsPerKey<R extends object>(db: Database, sql: string, keyOf: (row: R) => string) {
  return new DataLoader<string, R[]>(async (keys) => {
    const rows = await db.query<R>(sql, [keys]);
    const byKey = new Map<string, R[]>(keys.map((key) => [key, []]));
    for (const row of rows) byKey.get(keyOf(row))?.push(row);
    return keys.map((key) => byKey.get(key) ?? []);
  });
}
