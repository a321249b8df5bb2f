/**
 * npm run events -- status                                  deliveries per consumer and state
 * npm run events -- dead [--consumer C] [--limit N]         the dead letters: event, consumer, attempts, last error
 * npm run events -- replay (--all | --event ID…) [--consumer C]
 *                                                            dead letters back to pending with a fresh retry budget
 *
 * The population register's database: DATABASE_URL_IDENTITY, else that of a
 * running `npm start` (its data folder's credentials).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultDataDir } from '../platform/databases.ts';
import { deliveryCounts, knownConsumers, listDead, replayDead } from './store.ts';

const usage = 'usage: npm run events -- status | dead [--consumer C] [--limit N] | replay (--all | --event ID ...) [--consumer C]';

function identityUrl(): string {
  if (process.env.DATABASE_URL_IDENTITY) return process.env.DATABASE_URL_IDENTITY;
  const credentials = join(defaultDataDir(), 'credentials.json');
  if (existsSync(credentials)) {
    const roles = (JSON.parse(readFileSync(credentials, 'utf8')) as { roles: Record<string, string> }).roles;
    const port = Number(process.env.CITIZEN_GRAPH_PG_PORT ?? 54329);
    if (roles.identity) return `postgres://identity:${encodeURIComponent(roles.identity)}@127.0.0.1:${port}/identity`;
  }
  throw new Error('set DATABASE_URL_IDENTITY (the population register, whose outbox the events service delivers), or run `npm start` first');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { consumer: { type: 'string' }, limit: { type: 'string', default: '100' }, all: { type: 'boolean' }, event: { type: 'string', multiple: true } },
  });
  const command = positionals[0];
  if (!command || !['status', 'dead', 'replay'].includes(command)) throw new Error(usage);
  const client = new pg.Client({ connectionString: identityUrl() });
  await client.connect();
  try {
    if (values.consumer && !(await knownConsumers(client)).includes(values.consumer)) {
      throw new Error(`no consumer "${values.consumer.slice(0, 40)}": the consumers are ${(await knownConsumers(client)).join(', ')}`);
    }
    if (command === 'status') {
      for (const row of await deliveryCounts(client)) if (!values.consumer || row.consumer === values.consumer) console.log(`${row.consumer.padEnd(18)} ${row.state.padEnd(10)} ${row.n}`);
    } else if (command === 'dead') {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error('--limit must be 1-10000');
      const dead = await listDead(client, { consumer: values.consumer, limit });
      if (dead.length === 0) console.log('no dead letters');
      for (const d of dead) {
        console.log(`event ${d.eventId}  ${d.consumer}  ${d.kind}  ${d.attempts} attempts, last ${d.lastAttemptAt.toISOString()}: ${d.lastError ?? '-'}`);
      }
    } else {
      const ids = (values.event ?? []).map((raw) => {
        if (!/^\d{1,18}$/.test(raw)) throw new Error(`--event takes an event id (a number), not "${raw.slice(0, 20)}"`);
        return Number(raw);
      });
      if (!values.all && ids.length === 0) throw new Error('replay what? --all, or --event ID (repeatable)');
      const n = await replayDead(client, { consumer: values.consumer, eventIds: values.all ? undefined : ids });
      console.log(`${n} dead letter(s) back to pending: the events service delivers them on its next pass`);
    }
  } finally {
    await client.end();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
