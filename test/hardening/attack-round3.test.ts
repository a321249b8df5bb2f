/**
 * Attack, round 3 (outside review of this session's changes): the facts the
 * gateway hands the benefits board (@requires), the board's sealed findings
 * and recordEligibility, through the real gateway and subgraphs.
 *
 * Found: the client's own selection decides what the board is handed. A
 * client alias that takes the response name of a required fact
 * (`dateOfBirth: dateOfDeath`, `parents: householdMembers`), or the same fact
 * with arguments (`annualIncome(year: 1900)`), replaces the fact the planner
 * hands over. The engine can so make the board seal "nothing found" for a
 * person with findings (or new findings), and a citizen can make
 * benefitsPaidFor read the benefits of people outside their reach.
 * Fixed: those response keys are the facts' own (required-facts.ts
 * `reservedKeys`); the plan refuses any other field answering under them
 * (BAD_USER_INPUT), and a seal opens only in its canonical spelling.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_CLIENT, ENGINE_PURPOSE } from '../../offers/engine.ts';
import { findingsSeal } from '../../subgraphs/benefits/findings-seal.ts';
import { personaByRole } from '../../seed/personas.ts';
import { startTestSystem, type GraphQLCall, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let engineToken: string;
/** People of the first page whose findings are not empty today, with their seal as the engine's own query gets it. */
let withFindings: { id: string; sealed: string }[];
let population: string[];

const asEngine = (call: GraphQLCall): GraphQLCall => ({ token: engineToken, purpose: ENGINE_PURPOSE, caseRef: 'attack-round3', ...call });
const payloadOf = (sealed: string) => sealed.split('.')[0]!;
const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);
const noServerErrors = (r: { status: number; errors?: { message: string; extensions?: Record<string, unknown> }[] }) => {
  expect(r.status).toBeLessThan(500);
  expect(codes(r)).not.toContain('INTERNAL_SERVER_ERROR');
  expect(JSON.stringify(r.errors ?? [])).not.toMatch(/\bat .+\.ts:\d+/);
};

beforeAll(async () => {
  system = await startTestSystem();
  engineToken = await system.devIssuer.issue({ sub: ENGINE_CLIENT, client: ENGINE_CLIENT });
  const page = await system.query<{ citizens: { edges: { node: { id: string; eligibility: { sealed: string } } }[] } }>(asEngine({ query: '{ citizens(first: 200) { edges { node { id eligibility { sealed } } } } }' }));
  expect(page.errors).toBeUndefined();
  const people = page.data!.citizens.edges.map((e) => e.node);
  population = people.map((p) => p.id);
  withFindings = people.filter((p) => payloadOf(p.eligibility.sealed) !== '').map((p) => ({ id: p.id, sealed: p.eligibility.sealed }));
  expect(withFindings.length).toBeGreaterThan(5);
});
afterAll(async () => {
  await system?.close();
});

const sealFor = async (query: string) => {
  const r = await system.query<{ c: { eligibility: { sealed: string } | null } | null }>(asEngine({ query }));
  return { r, sealed: r.data?.c?.eligibility?.sealed };
};

describe("the facts handed to the board are the @requires' facts, whatever the client selects beside them", () => {
  it("an alias taking a required fact's name (dateOfBirth: dateOfDeath) does not change what the board decides on", async () => {
    const changed: string[] = [];
    for (const person of withFindings.slice(0, 8)) {
      const { r, sealed } = await sealFor(`{ c: citizen(id: "${person.id}") { id dateOfBirth: dateOfDeath eligibility { sealed } } }`);
      noServerErrors(r);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      // Either the request is refused, or the board decided on the real facts: the same findings.
      if (!r.errors && payloadOf(sealed!) !== payloadOf(person.sealed)) changed.push(person.id);
    }
    expect(changed).toEqual([]);
  });

  it("the same fact with arguments (annualIncome(year: 1900)), at top level or of a household member, does not change it", async () => {
    const changed: string[] = [];
    for (const person of withFindings.slice(0, 8)) {
      for (const query of [
        `{ c: citizen(id: "${person.id}") { id annualIncome(year: 1900) eligibility { sealed } } }`,
        `{ c: citizen(id: "${person.id}") { id annualIncome: insuredYears eligibility { sealed } } }`,
        `{ c: citizen(id: "${person.id}") { id householdMembers { id annualIncome: insuredYears } eligibility { sealed } } }`,
      ]) {
        const { r, sealed } = await sealFor(query);
        noServerErrors(r);
        expect(codes(r), query).toEqual(['BAD_USER_INPUT']);
        if (!r.errors && payloadOf(sealed!) !== payloadOf(person.sealed)) changed.push(`${person.id} ${query.slice(30, 90)}`);
      }
    }
    expect(changed).toEqual([]);
  });

  /** Each of the first 120 citizens asks `query` of their own record; the answers' payees outside self and wards. */
  const payeesOutsideReach = async (query: string, expectCodes: (string | undefined)[]) => {
    const outside: string[] = [];
    for (const id of population.slice(0, 120)) {
      const r = await system.query<{ me: { wards: { id: string }[]; benefitsPaidFor: { paidTo: string }[] | null } }>({ query, as: { sub: id, client: 'citizen-portal' }, purpose: 'self-service' });
      noServerErrors(r);
      expect(codes(r)).toEqual(expectCodes);
      const reach = new Set([id, ...(r.data?.me.wards ?? []).map((w) => w.id)]);
      for (const b of r.data?.me.benefitsPaidFor ?? []) if (!reach.has(b.paidTo)) outside.push(`${id} sees ${b.paidTo}`);
    }
    return outside;
  };

  it("self-service: parents: householdMembers does not make benefitsPaidFor show the benefits of people outside the citizen's reach", async () => {
    expect(await payeesOutsideReach('{ me { wards { id } parents: householdMembers { id } benefitsPaidFor { paidTo programme { code } monthlyAmount } } }', ['BAD_USER_INPUT'])).toEqual([]);
  }, 120_000);

  it("without the alias, benefitsPaidFor of one's own record names only oneself or one's wards (holds)", async () => {
    expect(await payeesOutsideReach('{ me { wards { id } benefitsPaidFor { paidTo } } }', [])).toEqual([]);
  }, 120_000);
});

describe('the sealed findings are granted to the offers engine alone (holds)', () => {
  const mother = personaByRole('newborn-mother');
  const caseworker = personaByRole('caseworker');
  const callers: [string, Omit<GraphQLCall, 'query'>][] = [
    ['self-service, self', { as: { sub: mother.id, client: 'citizen-portal' }, purpose: 'self-service' }],
    ['caseworker', { as: { sub: caseworker.id, client: 'caseworker-app', entitlements: caseworker.entitlements }, purpose: 'child-benefit-eligibility', caseRef: 'SKA-2026-0042' }],
    ['partner bank, no consent', { as: { sub: 'partner-bank', client: 'partner-bank' }, purpose: 'loan-affordability', caseRef: 'LOAN-1' }],
  ];
  for (const [who, call] of callers) {
    it(`${who}: eligibility, aliased and in fragments, is refused and the board never decides`, async () => {
      const target = who.startsWith('self') ? mother.id : withFindings[0]!.id;
      const r = await system.query<{ a: { e: unknown; f: unknown } | null }>({
        ...call,
        query: `query Q($yes: Boolean = true) { a: citizen(id: "${target}") { id e: eligibility @include(if: $yes) { sealed } ...F } } fragment F on Citizen { f: eligibility { sealed findings } }`,
      });
      noServerErrors(r);
      expect(JSON.stringify(r.data ?? null)).not.toContain('sealed":"');
      expect(r.errors?.length).toBeGreaterThan(0);
    });
  }

  it('a page of 1,000 eligibilities under the caseworker is refused, before any fact is fetched', async () => {
    const r = await system.query({
      as: { sub: caseworker.id, client: 'caseworker-app', entitlements: caseworker.entitlements },
      purpose: 'child-benefit-eligibility',
      caseRef: 'SKA-2026-0042',
      query: '{ citizens(first: 1000) { edges { node { id householdMembers { eligibility { sealed } children { eligibility { sealed } } } } } } }',
    });
    noServerErrors(r);
    expect(r.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.data ?? null)).not.toContain('sealed":"');
  });

  it('recordEligibility under another purpose or client is refused', async () => {
    const person = withFindings[0]!;
    const r = await system.query({
      as: { sub: caseworker.id, client: 'caseworker-app', entitlements: caseworker.entitlements },
      purpose: 'child-benefit-eligibility',
      caseRef: 'SKA-2026-0042',
      query: 'mutation R($input: EligibilityInput!) { recordEligibility(input: $input) { proposed } }',
      variables: { input: { runId: 'attack-round3', evaluated: [person.id], sealed: [person.sealed] } },
    });
    noServerErrors(r);
    expect(r.data?.recordEligibility ?? null).toBeNull();
    expect(r.errors?.length).toBeGreaterThan(0);
  });
});

describe('recordEligibility with forged input (holds)', () => {
  const record = (evaluated: unknown, sealed: unknown) =>
    system.query<{ recordEligibility: unknown }>(asEngine({ query: 'mutation R($input: EligibilityInput!) { recordEligibility(input: $input) { proposed expired } }', variables: { input: { runId: 'attack-round3', evaluated, sealed } } }));

  it('refuses non-strings, duplicates, swapped seals, huge seals and 20,001 entries, with 4xx and no internal error', async () => {
    const [a, b] = withFindings;
    const cases: [unknown, unknown][] = [
      [[a!.id], [42]],
      [[a!.id], [{ sealed: a!.sealed }]],
      [[a!.id], [null]],
      [[a!.id, a!.id], [a!.sealed, a!.sealed]],
      [[a!.id, b!.id], [b!.sealed, a!.sealed]],
      [[a!.id], [`${'A'.repeat(90_000)}.${a!.sealed.split('.')[1]}`]],
      [Array.from({ length: 20_001 }, () => a!.id), Array.from({ length: 20_001 }, () => '.')],
    ];
    for (const [evaluated, sealed] of cases) {
      const r = await record(evaluated, sealed);
      noServerErrors(r);
      expect(r.data?.recordEligibility ?? null).toBeNull();
      expect(r.errors?.length).toBeGreaterThan(0);
    }
  });
});

describe('the benefits subgraph called directly, past the gateway (holds)', () => {
  it('refuses _entities carrying facts without a context token, or with a made-up one', async () => {
    const body = JSON.stringify({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { eligibility { findings sealed } } } }',
      variables: { r: [{ __typename: 'Citizen', id: withFindings[0]!.id, dateOfBirth: '1950-01-01', dateOfDeath: null, annualIncome: 0, insuredYears: 40, parents: [], children: [], householdMembers: [] }] },
    });
    for (const headers of [{}, { 'x-citizen-graph-context': 'eyJhbGciOiJub25lIn0.e30.' }] as Record<string, string>[]) {
      const response = await fetch(system.subgraphs.benefits.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await response.text();
      expect(text).not.toContain('sealed":"');
      expect(text).toMatch(/UNAUTHENTICATED|accepts only requests signed by the gateway/);
    }
  });
});

describe('the seal itself', () => {
  const seal = findingsSeal(randomBytes(32));
  it('a seal with characters added to its MAC (padding, characters base64url skips) is not the seal: it does not open', () => {
    const sealed = seal.seal('49001010005', '2026-12-03', [{ programme: 'child-allowance', occasion: 'monthly:2', amount: 160, facts: [] }]);
    const variants = [`${sealed}==`, `${sealed}!`, sealed.replace(/\.(.)/, '.$1 ')];
    const opened = variants.filter((v) => {
      try {
        seal.open(v, '49001010005', '2026-12-03');
        return true;
      } catch {
        return false;
      }
    });
    expect(opened).toEqual([]);
  });
});
