/**
 * The production configuration end to end: every service its own process
 * with NODE_ENV=production (five subgraphs, the witness, the gateway, the
 * life-event relay and the offers engine), configured only by environment
 * variables, against an OpenID provider on its own port. The gateway finds
 * the provider's keys through discovery; a citizen and a registrar sign in
 * with the authorization code flow; the services sign in with client
 * credentials. Nothing development-only answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devServiceCredentials } from '../../identity-provider/clients.ts';
import { startIdentityProvider, type RunningIdentityProvider } from '../../identity-provider/server.ts';
import { generateContextKeyPair } from '../../platform/context-keys.ts';
import { freePort } from '../../platform/free-port.ts';
import { generateLifeEventKeyPair } from '../../platform/life-event-attestation.ts';
import { formatSignerKey, formatVerifierKey, generateSigner } from '../../platform/tlog/note.ts';
import { SUBGRAPH_NAMES, subgraphDatabase } from '../../platform/topology.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startScratchDatabases, type ScratchDatabases } from '../../system/scratch-databases.ts';
import { signInWithCode } from '../support/oidc-sign-in.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const mother = personaByRole('newborn-mother');
const registrar = personaByRole('registrar');

let scratch: ScratchDatabases;
let provider: RunningIdentityProvider;
let witnessDir: string;
let gatewayBase: string;
const children: ChildProcess[] = [];
const output: string[] = [];
let baseEnv: NodeJS.ProcessEnv;

function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  // node with tsx's loader, not a wrapper: a kill reaches the service itself.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`);
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return child;
}

async function ready(url: string, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready at ${url}:\n${output.join('').slice(-3_000)}`);
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

beforeAll(async () => {
  scratch = await startScratchDatabases({ citizens: 200, seed: 7 });
  // The provider on its own port, as a state's provider would be: the services know only its issuer URL.
  provider = await startIdentityProvider({ port: 0 });
  witnessDir = mkdtempSync(join(tmpdir(), 'citizen-graph-prod-witness-'));
  baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'warn', APOLLO_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '3000' };
  const context = await generateContextKeyPair();
  const lifeEvents = await generateLifeEventKeyPair();
  const logKey = generateSigner('citizen-graph.test/audit');
  const witnessKey = generateSigner('citizen-graph.test/witness');
  const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const)));
  const witnessPort = await freePort();
  const gatewayPort = await freePort();
  gatewayBase = `http://localhost:${gatewayPort}`;

  start('witness', ['system/start-witness.ts'], { WITNESS_PORT: String(witnessPort), WITNESS_KEY: formatSignerKey(witnessKey), WITNESS_DATA_DIR: witnessDir, WITNESS_LOG_KEYS: formatVerifierKey(logKey) });
  for (const name of SUBGRAPH_NAMES) {
    const database = subgraphDatabase(name);
    start(name, ['system/start-subgraph.ts', name], {
      [`SUBGRAPH_PORT_${name.toUpperCase()}`]: String(ports[name]),
      [`DATABASE_URL_${database.toUpperCase()}`]: scratch.urls[database],
      GATEWAY_CONTEXT_PUBLIC_KEY: context.publicPem,
      ...(name === 'identity' ? { LIFE_EVENT_SIGNING_KEY: JSON.stringify(lifeEvents.privateJwk) } : {}),
      ...(name === 'family' ? { LIFE_EVENT_VERIFY_KEYS: JSON.stringify(lifeEvents.publicJwk) } : {}),
    });
  }
  start('gateway', ['system/start-gateway.ts'], {
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_CONTEXT_PRIVATE_KEY: context.privatePem,
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, `http://127.0.0.1:${ports[name]}/graphql`])),
    DATABASE_URL_AUDIT: scratch.urls.audit,
    AUDIT_LOG_KEY: formatSignerKey(logKey),
    AUDIT_WITNESSES: `http://127.0.0.1:${witnessPort} ${formatVerifierKey(witnessKey)}`,
    AUTH_ISSUER: provider.issuer,
  });
  await Promise.all([
    ready(`http://127.0.0.1:${witnessPort}/ready`, 'the witness'),
    ...SUBGRAPH_NAMES.map((name) => ready(`http://127.0.0.1:${ports[name]}/ready`, `the ${name} subgraph`)),
  ]);
  await ready(`${gatewayBase}/ready`, 'the gateway');
}, 240_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map(exited));
  await provider?.close();
  await scratch?.stop();
  if (witnessDir) rmSync(witnessDir, { recursive: true, force: true });
});

const graphql = async <T>(token: string, purpose: string, query: string, variables?: Record<string, unknown>, caseRef?: string) => {
  const response = await fetch(`${gatewayBase}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': purpose, ...(caseRef ? { 'x-case-ref': caseRef } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] }) };
};

const serviceEnv = () => ({
  OIDC_ISSUER: provider.issuer,
  OIDC_CLIENT_SECRET_OFFERS_ENGINE: devServiceCredentials('offers-engine').secret,
  OIDC_CLIENT_SECRET_LIFE_EVENT_RELAY: devServiceCredentials('life-event-relay').secret,
  GATEWAY_URL: gatewayBase,
});

describe('the production configuration', () => {
  it('serves nothing development-only: no token shortcut, no explorer, no introspection', async () => {
    const shortcut = await fetch(`${gatewayBase}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: mother.id, client: 'citizen-portal' }) });
    expect(shortcut.status).toBe(404);
    expect((await fetch(`${gatewayBase}/portal/config.json`).then((r) => r.json())) as unknown).toEqual({ oidc: { issuer: provider.issuer }, development: false, explorer: false });
  });

  it('a citizen signs in at the provider (code + PKCE + nonce) and reads her data through the production gateway', async () => {
    const { result } = await signInWithCode(provider.issuer, 'citizen-portal', mother.id, 'high');
    const answer = await graphql<{ me: { givenName: string } }>(result.access_token, 'self-service', '{ me { givenName } }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.me.givenName).toBe('Kadri');
    // A token of another issuer's making is refused, whatever it says.
    expect((await graphql('e30.e30.e30', 'self-service', '{ me { givenName } }')).status).toBe(401);
  });

  it('the offers engine runs a batch with client credentials, and the life-event relay carries a registered birth to the family register', async () => {
    const engine = start('offers engine', ['offers/cli.ts', '--all', '--run', 'production-e2e', '--gateway', gatewayBase], serviceEnv());
    expect(await exited(engine), output.join('').slice(-3_000)).toBe(0);
    const offers = new pg.Client({ connectionString: scratch.urls.benefits });
    await offers.connect();
    try {
      const { rows } = await offers.query<{ n: number }>('SELECT count(*)::int AS n FROM offer');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await offers.end();
    }

    const relay = start('life-event relay', ['system/start-events.ts'], { ...serviceEnv(), DATABASE_URL_IDENTITY: scratch.urls.identity, EVENTS_PORT: String(await freePort()) });
    const { result } = await signInWithCode(provider.issuer, 'civil-registry', registrar.id, 'high');
    const registered = await graphql<{ registerBirth: { id: string } }>(
      result.access_token,
      'birth-registration',
      'mutation($input: RegisterBirthInput!) { registerBirth(input: $input) { id } }',
      { input: { givenName: 'Mari', familyName: 'Tamm', dateOfBirth: scratch.today, sex: 'F', motherId: mother.id } },
      'BIRTH-PROD-1',
    );
    expect(registered.errors).toBeUndefined();
    const child = registered.data!.registerBirth.id;
    const family = new pg.Client({ connectionString: scratch.urls.family });
    await family.connect();
    try {
      const deadline = Date.now() + 30_000;
      let parents: string[] = [];
      while (Date.now() < deadline && parents.length === 0) {
        parents = (await family.query<{ parent_id: string }>('SELECT parent_id FROM parentage WHERE child_id = $1', [child])).rows.map((r) => r.parent_id);
        if (!parents.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(parents, output.join('').slice(-3_000)).toEqual([mother.id]);
    } finally {
      await family.end();
      relay.kill('SIGTERM');
    }
  }, 180_000);
});
