/**
 * `npm start`: the whole system on one machine. PostgreSQL (embedded unless
 * DATABASE_URL_* are set), migrations, a seeded population on first start,
 * the four agency subgraphs and the gateway. Ctrl-C stops everything cleanly.
 */
import './terminal-defaults.ts';
import { DEFAULT_IDENTITY_PROVIDER_PORT } from '../identity-provider/server.ts';
import { loadOrCreateKeyRing } from '../identity-provider/keys.ts';
import { join } from 'node:path';
import { loadPersonas } from '../seed/personas.ts';
import { isSeeded, seedDatabases } from '../seed/load.ts';
import { DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES } from '../platform/topology.ts';
import { defaultDataDir, openDatabases, type Databases } from '../platform/databases.ts';
import { DEV_LOG_NAME, DEV_WITNESS_NAME, auditLogKeyFile, loadOrCreateSigner, witnessDir, witnessKeyFile } from '../platform/audit-keys.ts';
import { DEFAULT_WITNESS_PORT } from '../platform/config.ts';
import { loadOrCreateLifeEventKeys } from './life-event-keys.ts';
import { describeFailure, fail, guardProcess } from '../platform/process-guards.ts';
import { StartupError } from '../platform/startup-error.ts';
import { todayAsUtcMidnight } from '../platform/clock.ts';
import { migrateAll } from './migrate-all.ts';
import { evaluateOffersInBackground } from './first-evaluation.ts';
import { startServices } from './services.ts';
import { ensurePortalBuilt } from '../portal/build.ts';

const FIRST_START_CITIZENS = Number(process.env.CITIZEN_GRAPH_SEED_CITIZENS ?? 10_000);

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`${name} must be a port number 0-65535, not "${raw.slice(0, 20)}"`);
  return port;
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  if (process.env.NODE_ENV === 'production') {
    throw new StartupError('`npm start` runs the development system (dev identity provider, embedded database); in production run each service on its own (README, "Deploy")');
  }
  console.log('citizen-graph: starting…');
  let databases: Databases | undefined;
  let system: Awaited<ReturnType<typeof startServices>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping services and database…`);
    await system?.close().catch(() => {});
    await databases?.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    const gatewayPort = portFromEnv('GATEWAY_PORT', 4000);
    const subgraphPorts = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, portFromEnv(`SUBGRAPH_PORT_${name.toUpperCase()}`, DEFAULT_SUBGRAPH_PORTS[name])]));
    databases = await openDatabases();
    // The audit log's key, the witness's key and folder, and the identity provider's keys live in the data folder.
    const dataDir = databases.embedded?.dataDir ?? defaultDataDir();
    await ensurePortalBuilt((line) => console.log(line));
    await migrateAll(databases.urls);
    if (!(await isSeeded(databases.urls.identity))) {
      console.log(`first start: seeding ${FIRST_START_CITIZENS.toLocaleString('en')} citizens…`);
      const started = Date.now();
      await seedDatabases(databases.urls, { citizens: FIRST_START_CITIZENS, seed: 42, today: todayAsUtcMidnight(), reset: false });
      console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const keyFile = join(dataDir, 'identity-provider-keys.json');
    system = await startServices({
      databases: databases.urls,
      // The provider's signing keys live in the data folder: tokens of a tab left open survive a restart.
      identityProvider: { port: portFromEnv('IDENTITY_PROVIDER_PORT', DEFAULT_IDENTITY_PROVIDER_PORT), keys: await loadOrCreateKeyRing(keyFile), keyFile },
      lifeEventKeys: await loadOrCreateLifeEventKeys(dataDir),
      host: process.env.HOST ?? '127.0.0.1',
      gatewayPort,
      subgraphPorts,
      auditLog: {
        signer: loadOrCreateSigner(auditLogKeyFile(dataDir), DEV_LOG_NAME),
        witness: { signer: loadOrCreateSigner(witnessKeyFile(dataDir), DEV_WITNESS_NAME), dataDir: witnessDir(dataDir), port: portFromEnv('WITNESS_PORT', DEFAULT_WITNESS_PORT) },
      },
    });
  } catch (error) {
    await system?.close().catch(() => {});
    await databases?.stop().catch(() => {});
    process.stderr.write(`citizen-graph could not start: ${describeFailure(error)}\n`);
    process.exit(1);
  }

  const personas = loadPersonas();
  const lines = [
    '',
    'citizen-graph is running',
    `  graph (gateway)   ${system.gateway.url}`,
    `  citizen portal    http://localhost:${system.gateway.port}/  (sign in as a demo persona)`,
    `  privacy console   http://localhost:${system.gateway.port}/console`,
    `  explorer          http://localhost:${system.gateway.port}/explorer  (GraphiQL, development only)`,
    ...SUBGRAPH_NAMES.map((name) => `  ${name.padEnd(17)} ${system!.subgraphs[name].url}  (accepts only the gateway's signed requests)`),
    ...(system.witness ? [`  audit witness     ${system.witness.url}  (key ${system.witness.verifierKey})`] : []),
    '  life events       relayed in this process (events/: family register, then offers; `npm run events -- status`)',
    `  identity provider ${system.identityProvider.url}  (OpenID Connect; its sign-in page is the persona picker)`,
    `  dev tokens        POST http://localhost:${system.gateway.port}/dev/token  (a shortcut to the provider's tokens, issuer ${system.identityProvider.issuer})`,
    databases?.embedded
      ? `  database          embedded PostgreSQL on 127.0.0.1:${databases.embedded.port}, data in ${databases.embedded.dataDir}`
      : '  database          external (DATABASE_URL_*)',
    '',
    'demo personas:',
    ...personas.map((p) => `  ${p.id.padEnd(12)} ${p.role.padEnd(16)} ${p.description}`),
    '',
    'try:',
    `  TOKEN=$(curl -s localhost:${system.gateway.port}/dev/token -H 'content-type: application/json' \\`,
    `    -d '{"sub":"${personas[0]?.id}","client":"citizen-portal"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s ${system.gateway.url} -H "authorization: Bearer $TOKEN" -H 'x-purpose: self-service' \\`,
    `    -H 'content-type: application/json' -d '{"query":"{ me { givenName familyName children { givenName dateOfBirth } annualIncome benefitEnrollments { programme { name } status } } }"}'`,
    '',
    'Per-request JSON logs: LOG_LEVEL=info npm start. Ctrl-C stops everything.',
  ];
  console.log(lines.join('\n'));
  void evaluateOffersInBackground(system, (line) => console.log(line));
}

guardProcess('citizen-graph');
main().catch((error: unknown) => fail('citizen-graph', error));
