/**
 * Run by the set-up tests from a copy of the repository: starts the embedded
 * PostgreSQL with the data folder and port given, asks it who it is, prints
 * one JSON line and stops. `npx tsx test/support/embedded-probe.ts DIR PORT`.
 */
import pg from 'pg';
import { startEmbeddedPostgres } from '../../platform/databases.ts';
import { fail, guardProcess } from '../../platform/process-guards.ts';

guardProcess('embedded-probe');
const [dataDir, port] = process.argv.slice(2);
try {
  const databases = await startEmbeddedPostgres({ dataDir, port: Number(port) });
  const client = new pg.Client({ connectionString: databases.urls.identity });
  await client.connect();
  const { rows } = await client.query<{ role: string }>('SELECT current_user AS role');
  await client.end();
  await databases.stop();
  process.stdout.write(`${JSON.stringify({ role: rows[0]?.role, binaries: databases.embedded?.binaries, serverUser: databases.embedded?.serverUser })}\n`);
} catch (error) {
  fail('embedded-probe', error);
}
