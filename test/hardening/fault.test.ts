/**
 * Failing agencies. Under a continuous stream of requests asking for fields
 * of two agencies (identity: givenName, tax: annualIncome):
 *  1. the tax subgraph — a real child process started with
 *     `system/start-subgraph.ts tax` — is killed, then started again;
 *  2. the tax database stops accepting connections (every connection
 *     terminated, new ones refused) and comes back, the subgraph untouched.
 * Throughout, identity's fields keep coming and only tax's fields are
 * missing, with SUBGRAPH_UNAVAILABLE; afterwards everything recovers by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIdentityProvider, TOKEN_AUDIENCE, type RunningIdentityProvider } from '../../identity-provider/server.ts';
import { discoveredKeySet } from '../../gateway/auth/authenticate.ts';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { loadPolicy } from '../../permissions/load.ts';
import { personaByRole } from '../../seed/personas.ts';
import { AGENCIES } from '../../subgraphs/index.ts';
import { startSubgraph, type RunningService } from '../../subgraphs/kit/server.ts';
import { generateContextKeyPair, importContextPrivateKey, importContextPublicKey } from '../../platform/context-keys.ts';
import { freePort } from '../../platform/free-port.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const mother = personaByRole('newborn-mother');
const QUERY = '{ me { givenName annualIncome } }';

interface Sample {
  at: number;
  status: number;
  ms: number;
  identityOk: boolean;
  taxOk: boolean;
  codes: string[];
}

let gateway: RunningGateway;
let identityProvider: RunningIdentityProvider | undefined;
const inProcess: RunningService[] = [];
let child: ChildProcess | undefined;
let taxPort: number;
let publicPem: string;
let token: string;

function startTaxProcess(): ChildProcess {
  // node with tsx's loader, not the tsx wrapper: the pid must be the server's own, so that a kill kills it.
  const processHandle = spawn(process.execPath, ['--import', 'tsx', 'system/start-subgraph.ts', 'tax'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      APOLLO_TELEMETRY_DISABLED: '1',
      DATABASE_URL_TAX: inject('databases').tax,
      SUBGRAPH_PORT_TAX: String(taxPort),
      GATEWAY_CONTEXT_PUBLIC_KEY: publicPem,
      SHUTDOWN_GRACE_MS: '2000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  processHandle.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[tax subgraph] ${chunk}`));
  return processHandle;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const taxReady = () => fetch(`http://127.0.0.1:${taxPort}/ready`).then((r) => r.status === 200);
const taxReadyStatus = () => fetch(`http://127.0.0.1:${taxPort}/ready`).then((r) => r.status, () => 0);

async function ask(): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'self-service' },
    body: JSON.stringify({ query: QUERY }),
  }).catch(() => undefined);
  if (!response) return { at: Date.now(), status: 0, ms: performance.now() - started, identityOk: false, taxOk: false, codes: ['GATEWAY_UNREACHABLE'] };
  const body = (await response.json()) as { data?: { me?: { givenName?: string; annualIncome?: number | null } }; errors?: { extensions?: { code?: string } }[] };
  return {
    at: Date.now(),
    status: response.status,
    ms: performance.now() - started,
    identityOk: typeof body.data?.me?.givenName === 'string',
    taxOk: typeof body.data?.me?.annualIncome === 'number',
    codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'),
  };
}

/** Requests back to back (bounded by `until`), two at a time, on loopback. */
async function streamRequests(until: () => boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  const worker = async () => {
    while (!until()) samples.push(await ask());
  };
  await Promise.all([worker(), worker()]);
  return samples.sort((a, b) => a.at - b.at);
}

beforeAll(async () => {
  const keys = await generateContextKeyPair();
  publicPem = keys.publicPem;
  const policy = loadPolicy();
  const databases = inject('databases');
  const publicKey = await importContextPublicKey(keys.publicPem);
  for (const name of ['identity', 'family', 'benefits'] as const) {
    inProcess.push(await startSubgraph(AGENCIES[name], { port: 0, databaseUrl: databases[name], policy, contextKey: publicKey }));
  }
  taxPort = await freePort();
  child = startTaxProcess();
  await waitFor(taxReady, 30_000, 'the tax subgraph process');
  identityProvider = await startIdentityProvider({ port: 0 });
  token = await identityProvider.issue({ sub: mother.id, client: 'citizen-portal' });
  const url = (name: string) => inProcess.find((s) => s.name === name)!.url;
  gateway = await startGateway({
    port: 0,
    policy,
    subgraphUrls: { identity: url('identity'), family: url('family'), benefits: url('benefits'), tax: `http://127.0.0.1:${taxPort}/graphql` },
    contextSigningKey: await importContextPrivateKey(keys.privatePem),
    auth: { key: discoveredKeySet(identityProvider.issuer), issuer: identityProvider.issuer, audience: TOKEN_AUDIENCE },
    resilience: { timeoutMs: 1_000, errorThresholdPercent: 50, volumeThreshold: 3, resetTimeoutMs: 500 },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await identityProvider?.close();
  child?.kill('SIGKILL');
  await Promise.all(inProcess.map((s) => s.close()));
});

function expectDegradedOnlyForTax(samples: Sample[]) {
  for (const s of samples) {
    expect(s.status).toBe(200);
    expect(s.identityOk).toBe(true);
    if (!s.taxOk) expect(s.codes).toEqual(['SUBGRAPH_UNAVAILABLE']);
    else expect(s.codes).toEqual([]);
  }
}

describe('one agency fails under continuous requests', () => {
  it('tax subgraph process killed, then restarted: identity fields throughout, tax fields missing then back', async () => {
    const before = await ask();
    expect(before).toMatchObject({ status: 200, identityOk: true, taxOk: true, codes: [] });

    let phase: 'up' | 'down' | 'restarted' | 'done' = 'up';
    const marks: Record<string, number> = {};
    const streaming = streamRequests(() => phase === 'done');
    try {
    await new Promise((r) => setTimeout(r, 500));

    marks.killed = Date.now();
    phase = 'down';
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    await new Promise((r) => setTimeout(r, 3_000));
    const gatewayReady = await fetch(gateway.url.replace('/graphql', '/ready'));
    expect(gatewayReady.status).toBe(503);
    expect(((await gatewayReady.json()) as { subgraphs: Record<string, string> }).subgraphs.tax).toBe('unavailable');

    marks.restarted = Date.now();
    phase = 'restarted';
    child = startTaxProcess();
    await waitFor(taxReady, 30_000, 'the restarted tax subgraph');
    marks.ready = Date.now();
    await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      phase = 'done';
    }
    const samples = await streaming;

    expect(samples.length).toBeGreaterThan(50);
    expectDegradedOnlyForTax(samples);
    const down = samples.filter((s) => s.at > marks.killed! + 200 && s.at < marks.restarted!);
    expect(down.length).toBeGreaterThan(10);
    expect(down.every((s) => !s.taxOk)).toBe(true);
    // The open circuit answers fast: no request waits for the dead agency.
    const sortedMs = down.map((s) => s.ms).sort((a, b) => a - b);
    expect(sortedMs[Math.floor(sortedMs.length * 0.99)]).toBeLessThan(1_000);
    // Recovered by itself, within the circuit's reset time after the subgraph was ready again.
    const settled = samples.filter((s) => s.at > marks.ready! + 1_000);
    expect(settled.length).toBeGreaterThan(10);
    expect(settled.every((s) => s.taxOk && s.codes.length === 0)).toBe(true);
    const final = await ask();
    expect(final).toMatchObject({ identityOk: true, taxOk: true, codes: [] });
  });

  it("tax database refuses connections, then comes back: the subgraph reconnects without restart, /ready says 503 meanwhile", async () => {
    const admin = new pg.Client({ connectionString: inject('superuserUrl') });
    await admin.connect();
    const database = new URL(inject('databases').tax).pathname.slice(1);
    const quoted = admin.escapeIdentifier(database);
    let phase: 'up' | 'down' | 'back' | 'done' = 'up';
    const marks: Record<string, number> = {};
    const streaming = streamRequests(() => phase === 'done');
    try {
      await new Promise((r) => setTimeout(r, 500));
      marks.down = Date.now();
      phase = 'down';
      await admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await waitFor(async () => (await taxReadyStatus()) === 503, 5_000, 'tax /ready to report 503');
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await taxReadyStatus()).toBe(503);
      marks.back = Date.now();
      phase = 'back';
    } catch (error) {
      phase = 'done';
      throw error;
    } finally {
      await admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    try {
      await waitFor(taxReady, 10_000, 'tax /ready after the database came back');
      marks.ready = Date.now();
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      phase = 'done';
    }
    const samples = await streaming;

    expectDegradedOnlyForTax(samples);
    const down = samples.filter((s) => s.at > marks.down! + 500 && s.at < marks.back!);
    expect(down.length).toBeGreaterThan(10);
    expect(down.every((s) => !s.taxOk)).toBe(true);
    const settled = samples.filter((s) => s.at > marks.ready! + 1_000);
    expect(settled.length).toBeGreaterThan(5);
    expect(settled.every((s) => s.taxOk && s.codes.length === 0)).toBe(true);
  });
});
