/**
 * An agency's connection pool. It counts the statements it sends so that tests
 * and benchmarks can prove batching (one statement per batch, never per entity).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

// numeric and date columns as JS numbers / ISO strings: the graph speaks euros and YYYY-MM-DD.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface Database {
  readonly name: string;
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Statements sent since start (or the last reset). */
  readonly statements: number;
  resetStatementCount(): void;
  /** Whether the database answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const names = new Map<string, string>();
/** Our SQL is a fixed set of constants; text built per call would prepare without end, so past this many it goes unnamed. */
const MAX_NAMED_STATEMENTS = 500;
/** The same SQL text always gets the same statement name (a digest of it). */
function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (!name && names.size < MAX_NAMED_STATEMENTS) names.set(sql, (name = `cg_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  return name;
}

export function openDatabase(name: string, connectionString: string, maxConnections = 10): Database {
  const pool = new pg.Pool({ connectionString, max: maxConnections, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // A database restart drops idle clients with an error; the pool replaces them, we must not crash.
  pool.on('error', () => {});
  let statements = 0;
  return {
    name,
    async query<R extends object>(sql: string, params: readonly unknown[] = []) {
      statements += 1;
      // A named (prepared) statement: PostgreSQL parses and plans it once per connection, not on every call.
      const result = await pool.query<R>({ name: statementName(sql), text: sql, values: params as unknown[] });
      return result.rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    get statements() {
      return statements;
    },
    resetStatementCount() {
      statements = 0;
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}
