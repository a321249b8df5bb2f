/** The configuration surface: validated at start-up, clear messages, secrets never echoed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { ConfigurationError, gatewayConfig, subgraphConfig, witnessConfig } from '../../platform/config.ts';
import { formatSignerKey, formatVerifierKey, generateSigner } from '../../platform/tlog/note.ts';
import { generateContextKeyPair } from '../../platform/context-keys.ts';
import { freePort } from '../../platform/free-port.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const keys = await generateContextKeyPair();

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a configuration error');
}

const logSigner = generateSigner('audit.example.gov/log');
const witnessSigner = generateSigner('witness.example.org/w1');
const auditLogEnv = { AUDIT_LOG_KEY: formatSignerKey(logSigner), AUDIT_WITNESSES: `https://witness.example.org ${formatVerifierKey(witnessSigner)}` };

describe('audit log checkpoints and witnesses', () => {
  const base = { GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem, DATABASE_URL_AUDIT: 'postgres://audit:pw@db/audit' };

  it('reads the log key, witnesses and limits, with the documented defaults', () => {
    const config = gatewayConfig({ ...base, ...auditLogEnv });
    expect(config.auditLog).toMatchObject({ signer: { name: 'audit.example.gov/log', keyId: logSigner.keyId }, quorum: 1, intervalMs: 5_000, unwitnessedLimitMs: 60_000 });
    expect(config.auditLog!.witnesses).toEqual([{ url: 'https://witness.example.org', verifier: expect.objectContaining({ name: 'witness.example.org/w1', keyId: witnessSigner.keyId }) }]);
    expect(gatewayConfig({ ...base, ...auditLogEnv, AUDIT_UNWITNESSED_LIMIT_S: '5' }).auditLog!.unwitnessedLimitMs).toBe(5_000);
  });

  it('refuses what would leave records unwitnessed, and never echoes a key', () => {
    expect(problemsOf(() => gatewayConfig({ ...base, NODE_ENV: 'production', AUTH_ISSUER: 'https://id', AUTH_JWKS_URL: 'https://id/jwks' })).join('\n')).toMatch(/AUDIT_LOG_KEY and AUDIT_WITNESSES are required in production/);
    expect(problemsOf(() => gatewayConfig({ ...base, AUDIT_LOG_KEY: auditLogEnv.AUDIT_LOG_KEY })).join('\n')).toMatch(/AUDIT_LOG_KEY needs AUDIT_WITNESSES/);
    expect(problemsOf(() => gatewayConfig({ ...base, ...auditLogEnv, AUDIT_WITNESS_QUORUM: '2' })).join('\n')).toMatch(/AUDIT_WITNESS_QUORUM \(2\) is more than the 1 witnesses/);
    expect(problemsOf(() => gatewayConfig({ ...base, ...auditLogEnv, AUDIT_CHECKPOINT_INTERVAL_MS: '30000' })).join('\n')).toMatch(/AUDIT_CHECKPOINT_INTERVAL_MS must be a whole number between 1 and 10000/);
    const secret = auditLogEnv.AUDIT_LOG_KEY.slice(0, -4) + 'AAAA';
    const bad = problemsOf(() => gatewayConfig({ ...base, AUDIT_LOG_KEY: secret, AUDIT_WITNESSES: auditLogEnv.AUDIT_WITNESSES })).join('\n');
    expect(bad).toMatch(/AUDIT_LOG_KEY must be a note signer key/);
    expect(bad).not.toContain(secret.split('+').at(-1));
    expect(problemsOf(() => gatewayConfig({ ...base, ...auditLogEnv, AUDIT_WITNESSES: 'witness.example.org nokey' })).join('\n')).toMatch(/AUDIT_WITNESSES: a witness is/);
  });

  it('the witness needs the keys of the logs it witnesses, and in production its own key and folder', () => {
    expect(problemsOf(() => witnessConfig({})).join('\n')).toMatch(/WITNESS_LOG_KEYS is required/);
    const problems = problemsOf(() => witnessConfig({ NODE_ENV: 'production', WITNESS_LOG_KEYS: formatVerifierKey(logSigner) })).join('\n');
    expect(problems).toMatch(/WITNESS_KEY is required in production/);
    expect(problems).toMatch(/WITNESS_DATA_DIR is required in production/);
    expect(witnessConfig({ WITNESS_LOG_KEYS: formatVerifierKey(logSigner), WITNESS_KEY: formatSignerKey(witnessSigner) })).toMatchObject({ port: 4010, logKeys: [expect.objectContaining({ keyId: logSigner.keyId })], signer: { keyId: witnessSigner.keyId } });
  });
});

describe('gateway configuration', () => {
  it('development defaults: the development provider (and its token shortcut), introspection and suggestions on, limits as documented', () => {
    const config = gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem });
    expect(config.production).toBe(false);
    expect(config.auth).toEqual({ issuer: 'http://localhost:4020', jwksUrl: undefined, audience: 'citizen-graph', claims: {} });
    expect(config.devTokenUrl).toBe('http://localhost:4020/dev/token');
    expect(config.port).toBe(4000);
    expect(config.hardening.introspection).toBe(true);
    expect(config.hardening.fieldSuggestions).toBe(true);
    expect(config.hardening.limits).toMatchObject({ maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 2000, maxCost: 50_000 });
    expect(config.subgraphUrls.tax).toBe('http://127.0.0.1:4002/graphql');
  });

  it('production: refuses to start without an issuer, and turns introspection and suggestions off', () => {
    const problems = problemsOf(() => gatewayConfig({ NODE_ENV: 'production', GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem }));
    expect(problems.join('\n')).toMatch(/AUTH_ISSUER is required in production/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL_AUDIT is required in production/);
    const config = gatewayConfig({ NODE_ENV: 'production', GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem, AUTH_ISSUER: 'https://id.example.gov', AUTH_JWKS_URL: 'https://id.example.gov/jwks', DATABASE_URL_AUDIT: 'postgres://audit:pw@db/audit', ...auditLogEnv });
    expect(config.auth).toEqual({ issuer: 'https://id.example.gov', jwksUrl: 'https://id.example.gov/jwks', audience: 'citizen-graph', claims: {} });
    expect(config.devTokenUrl).toBeUndefined();
    expect(config.hardening).toMatchObject({ introspection: false, introspectionClients: [], fieldSuggestions: false });
  });

  it('names every bad variable at once, and says what it must be', () => {
    const problems = problemsOf(() =>
      gatewayConfig({ GATEWAY_PORT: 'eighty', GRAPHQL_MAX_DEPTH: '-1', NODE_ENV: 'prod', SUBGRAPH_URL_TAX: 'ftp://x', GRAPHQL_INTROSPECTION: 'maybe', GRAPHQL_SAFELISTS: 'portal' }),
    );
    const text = problems.join('\n');
    for (const expected of [/GATEWAY_PORT must be a port number/, /GRAPHQL_MAX_DEPTH must be a whole number between 1 and 100/, /NODE_ENV must be development, production or test/, /SUBGRAPH_URL_TAX must be an http\(s\) URL/, /GRAPHQL_INTROSPECTION must be true or false/, /GRAPHQL_SAFELISTS must be client=path/, /GATEWAY_CONTEXT_PRIVATE_KEY is required/]) {
      expect(text).toMatch(expected);
    }
  });

  it('a key of the wrong kind is refused without being echoed', () => {
    const problems = problemsOf(() => gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: keys.publicPem }));
    expect(problems.join('\n')).toMatch(/GATEWAY_CONTEXT_PRIVATE_KEY must be a PKCS#8 PEM/);
    expect(problems.join('\n')).not.toContain(keys.publicPem.slice(30, 60));
  });
});

describe('subgraph configuration', () => {
  it('needs a known agency, its database URL and the public key; never echoes the URL', () => {
    expect(problemsOf(() => subgraphConfig('treasury', {})).join()).toMatch(/one of identity, tax, family, benefits, transparency/);
    const missing = problemsOf(() => subgraphConfig('tax', {})).join('\n');
    expect(missing).toMatch(/DATABASE_URL_TAX is required/);
    expect(missing).toMatch(/GATEWAY_CONTEXT_PUBLIC_KEY is required/);
    const secret = 'mysql://tax:s3cr3t-password@db/tax';
    const bad = problemsOf(() => subgraphConfig('tax', { DATABASE_URL_TAX: secret, GATEWAY_CONTEXT_PUBLIC_KEY: keys.privatePem })).join('\n');
    expect(bad).toMatch(/DATABASE_URL_TAX must be a postgres:\/\/ or postgresql:\/\/ URL \(value not shown\)/);
    expect(bad).toMatch(/GATEWAY_CONTEXT_PUBLIC_KEY must be a SPKI PEM/);
    expect(bad).not.toContain('s3cr3t');
  });

  it('the population register needs its life-event signing key, the family register the key to verify with', () => {
    expect(problemsOf(() => subgraphConfig('identity', {})).join('\n')).toMatch(/LIFE_EVENT_SIGNING_KEY is required/);
    expect(problemsOf(() => subgraphConfig('family', {})).join('\n')).toMatch(/LIFE_EVENT_VERIFY_KEYS is required/);
    expect(problemsOf(() => subgraphConfig('tax', {})).join('\n')).not.toMatch(/LIFE_EVENT/);
  });

  it('gateway limits: estimated cost, response records and bytes, per-client limits and token lifetimes from the environment', () => {
    const config = gatewayConfig({
      GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem, GRAPHQL_MAX_ESTIMATED_COST: '500', GRAPHQL_MAX_RESPONSE_RECORDS: '600', GRAPHQL_MAX_RESPONSE_BYTES: '7000',
      GRAPHQL_CLIENT_LIMITS: '{"offers-engine":{"maxEstimatedCost":9000}}', TOKEN_MAX_LIFETIME_SECONDS: 'staff=28800,service=900',
    });
    expect(config.hardening.limits).toMatchObject({ maxEstimatedCost: 500, maxResponseRecords: 600, maxResponseBytes: 7000 });
    expect(config.hardening.clientLimits).toEqual({ 'offers-engine': { maxEstimatedCost: 9000 } });
    expect(config.tokenLifetimes).toMatchObject({ citizens: 3600, staff: 28800, service: 900 });
    const bad = problemsOf(() => gatewayConfig({ GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem, GRAPHQL_CLIENT_LIMITS: '{"offers-engine":{"maxCost":1}}', TOKEN_MAX_LIFETIME_SECONDS: 'staff=forever' })).join('\n');
    expect(bad).toMatch(/GRAPHQL_CLIENT_LIMITS must be JSON/);
    expect(bad).toMatch(/TOKEN_MAX_LIFETIME_SECONDS must be actors=seconds pairs/);
  });

  it('accepts a JWK public key and the documented variables', () => {
    const config = subgraphConfig('tax', { DATABASE_URL_TAX: 'postgres://tax:pw@127.0.0.1:5432/tax', GATEWAY_CONTEXT_PUBLIC_KEY: JSON.stringify(keys.publicJwk), SUBGRAPH_PORT_TAX: '5002', DATABASE_POOL_MAX: '20' });
    expect(config).toMatchObject({ agency: 'tax', port: 5002, poolMax: 20, production: false });
  });
});

function run(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', APOLLO_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('separately started services', () => {
  it('the gateway refuses to start in production without an issuer: exit 1, one clear message, no stack trace', async () => {
    const gateway = run('system/start-gateway.ts', [], { NODE_ENV: 'production', GATEWAY_CONTEXT_PRIVATE_KEY: keys.privatePem });
    expect(await gateway.exited).toBe(1);
    expect(gateway.stderr()).toMatch(/gateway could not start: invalid configuration:\n {2}- AUTH_ISSUER is required in production/);
    expect(gateway.stderr()).not.toMatch(/\n\s+at /);
  });

  it('a subgraph started on its own serves, then drains and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const subgraph = run('system/start-subgraph.ts', ['identity'], { NODE_ENV: 'test', DATABASE_URL_IDENTITY: inject('databases').identity, SUBGRAPH_PORT_IDENTITY: String(port), GATEWAY_CONTEXT_PUBLIC_KEY: keys.publicPem, LIFE_EVENT_SIGNING_KEY: JSON.stringify(inject('lifeEventKeys').privateJwk) });
    try {
      const deadline = Date.now() + 30_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
    } finally {
      if (subgraph.child.exitCode === null) subgraph.child.kill('SIGKILL');
    }
  });
});
