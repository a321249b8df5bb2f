/**
 * The benchmark's "plain subgraphs" (no shield, no context token: what a team
 * without this project's security would run) are a benchmark-only mode of the
 * kit's server. Driven through the benchmark's own subgraph host process: the
 * plain host answers a call that carries no token, while the secured host, what
 * `npm start` runs, refuses the same call. And the mode cannot reach production:
 * the kit refuses it unless NODE_ENV is development or test, and nothing outside the
 * benchmark (and the kit that defines it) names it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHost, type Host } from '../../bench/lib/child-process.ts';
import type { SubgraphHostOptions, SubgraphSecurity } from '../../bench/lib/hosts/subgraphs.ts';
import { BENCH_CONTEXT, benchPolicy } from '../../bench/lib/bench-policy.ts';
import { sampleAdults } from '../../bench/lib/scenarios.ts';
import { SUBGRAPHS } from '../../subgraphs/index.ts';
import { startSubgraph } from '../../subgraphs/kit/server.ts';

const SUBGRAPH_HOST = new URL('../../bench/lib/hosts/subgraphs.ts', import.meta.url);
const hosts: Partial<Record<SubgraphSecurity, Host<Record<string, string>>>> = {};
let citizen: string;

/** The tax subgraph's income of one citizen, asked the way a gateway asks it, with no context token. */
async function askTaxWithoutToken(security: SubgraphSecurity): Promise<{ status: number; body: { data?: { _entities: { annualIncome: number | null }[] } | null; errors?: { extensions?: { code?: string } }[] } }> {
  const response = await fetch(hosts[security]!.started.tax!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { annualIncome } } }', variables: { r: [{ __typename: 'Citizen', id: citizen }] } }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

beforeAll(async () => {
  const databases = inject('databases');
  citizen = (await sampleAdults(databases.identity, 1))[0]!;
  const publicKey = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey);
  const [secured, plain] = await Promise.all(
    (['secured', 'plain'] as const).map((security) => startHost<Record<string, string>>(SUBGRAPH_HOST, { databases, publicKey, security } satisfies SubgraphHostOptions)),
  );
  hosts.secured = secured;
  hosts.plain = plain;
});

afterAll(async () => {
  await Promise.all(Object.values(hosts).map((host) => host.close()));
});

describe("the benchmark's plain subgraphs", () => {
  it('the secured host refuses a call without a context token', async () => {
    const { body } = await askTaxWithoutToken('secured');
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('the plain host answers the same call, with the data', async () => {
    const { status, body } = await askTaxWithoutToken('plain');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toHaveLength(1);
    expect(typeof body.data!._entities[0]!.annualIncome).toBe('number');
  });

  it('the kit refuses to start a subgraph without the context check, shield or binding unless NODE_ENV is development or test', async () => {
    const before = process.env.NODE_ENV;
    const contextKey = (await generateKeyPair('EdDSA')).publicKey;
    const base = { port: 0, databaseUrl: inject('databases').tax, policy: benchPolicy(), contextKey };
    try {
      // A mistyped or other environment keeps every check (found by the outside review: only "production" was refused).
      for (const environment of ['production', 'Production', 'prod', 'staging']) {
        process.env.NODE_ENV = environment;
        for (const weakened of [{ unverifiedCaller: BENCH_CONTEXT }, { shield: false }, { contextBinding: false }]) {
          await expect(startSubgraph(SUBGRAPHS.tax, { ...base, ...weakened }), `${environment} ${Object.keys(weakened)[0]}`).rejects.toThrow(/verifies every call/);
        }
      }
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('nothing but the benchmark, the kit and this test names the option (no configuration or start script reaches it)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return ['node_modules', 'dist', '.git', 'results', 'artifacts'].includes(name) ? [] : files(path);
        return /\.(tsx?|js|json|ya?ml|md|env)$/.test(name) ? [path] : [];
      });
    const naming = readdirSync('.')
      .filter((name) => !name.startsWith('.') && name !== 'node_modules' && statSync(name).isDirectory())
      .flatMap(files)
      .filter((file) => readFileSync(file, 'utf8').includes('unverifiedCaller'));
    expect(naming.length).toBeGreaterThan(0); // the search reads the files that do
    expect(naming.filter((file) => !file.startsWith('bench/') && file !== 'subgraphs/kit/server.ts' && file !== 'test/kit/plain-subgraphs.test.ts')).toEqual([]);
  });
});
