/**
 * The subgraph shield decides each question once per request (decision-memo.ts):
 * a repeat of an allowed question is resolved without graphql-shield's promises,
 * and everything else still goes through graphql-shield. These tests hold it to
 * answering exactly as graphql-shield alone does, record by record.
 */
import fc from 'fast-check';
import { buildSchema, execute, parse, type ExecutionResult, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../permissions/load.ts';
import { ACR_LEVELS } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';
import { policyShield, shieldSchema } from '../../subgraphs/kit/shield.ts';

const policy = loadPolicy();

// Type and field names of the real graph, so the shipped policy classifies them. Nullable, so that every
// refusal shows on its own record; `strict` is the same graph with the non-null fields an agency's schema has.
const sdl = (strict: boolean) => {
  const bang = strict ? '!' : '';
  return `
    type Query { me: Citizen citizen(id: ID!): Citizen }
    type Citizen {
      id: ID${bang} givenName: String annualIncome: Float
      partner: Citizen children: [Citizen${bang}]${bang} incomes: [Income${bang}]${bang} taxAssessments: [TaxAssessment${bang}]${bang}
    }
    type Income { year: Int${bang} amount: Float }
    type TaxAssessment { year: Int${bang} assessedTax: Float }
  `;
};

interface Person {
  id: string;
  givenName: string;
  annualIncome: number;
  partner: Person | null;
  children: Person[];
  incomes: { year: number; amount: number }[];
  taxAssessments: { year: number; assessedTax: number }[];
}

const person = (id: string): Person => ({
  id,
  givenName: `name of ${id}`,
  annualIncome: id.length * 1000,
  partner: null,
  children: [],
  incomes: [{ year: 2025, amount: 1 }, { year: 2026, amount: 2 }],
  taxAssessments: [{ year: 2025, assessedTax: 3 }],
});

function household(): Record<string, Person> {
  const people = Object.fromEntries(['A', 'B', 'C1', 'C2'].map((id) => [id, person(id)]));
  people.A!.partner = people.B!;
  // The other child first and last: a represented child's allows must not carry over to them.
  people.A!.children = [people.C2!, people.C1!, people.C2!, people.C1!];
  return people;
}

const citizen = (self: string, represented: string[], acr: CallerContext['acr'] = 'substantial'): CallerContext => ({
  actor: self, client: 'citizen-portal', purpose: 'self-service', acr, requestId: 'r', scope: { self, represented, any: false },
});
const caseworker: CallerContext = {
  actor: 'staff-1', client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'high', caseRef: 'C-1', requestId: 'r', scope: { represented: [], any: true },
};

const FIELDS = 'id givenName annualIncome incomes { year amount } taxAssessments { year assessedTax }';
const VIEW = `{ ${FIELDS} partner { ${FIELDS} } children { ${FIELDS} children { ${FIELDS} } } }`;

const base = (strict = false) => buildSchema(sdl(strict));
const root = (people: Record<string, Person>) => ({
  me: (_args: unknown, context: { caller: CallerContext }) => people[context.caller.actor] ?? null,
  citizen: ({ id }: { id: string }) => people[id] ?? null,
});

async function run(schema: GraphQLSchema, people: Record<string, Person>, caller: CallerContext, query: string, variables?: Record<string, unknown>) {
  return execute({ schema, document: parse(query), rootValue: root(people), contextValue: { caller, policy }, variableValues: variables });
}

/** The refusals of a result by path, each with its reason (errors arrive in resolution order, which an earlier sync answer changes). */
const refusals = (result: ExecutionResult) =>
  (result.errors ?? []).map((e) => `${e.path?.join('.')}: ${String(e.extensions?.code)} ${String(e.extensions?.reason)} ${e.message}`).sort();

describe('the subgraph shield, decided once per request and question', () => {
  it('answers each record for its own person: self and a represented child allowed, the partner and another child refused, in any order', async () => {
    const people = household();
    const result = await run(shieldSchema(base(), policy), people, citizen('A', ['C1']), `{ me ${VIEW} }`);
    const me = result.data?.me as Record<string, unknown> & { partner: Record<string, unknown>; children: Record<string, unknown>[] };
    expect(me.givenName).toBe('name of A');
    expect(me.incomes).toEqual([{ year: 2025, amount: 1 }, { year: 2026, amount: 2 }]);
    // A code is referable where the relationship holding it is readable (policy `referable`): the partner's id, not their data.
    expect(me.partner).toMatchObject({ id: 'B', givenName: null, annualIncome: null });
    expect(me.children.map((c) => c.givenName)).toEqual([null, 'name of C1', null, 'name of C1']);
    expect(me.children.map((c) => c.annualIncome)).toEqual([null, 2000, null, 2000]);
    const reasons = refusals(result);
    expect(reasons).toContain('me.partner.givenName: UNAUTHORIZED_FIELD_OR_TYPE SUBJECT_OUT_OF_SCOPE Not allowed for purpose "self-service": Citizen.givenName (the person whose data this is is outside what the purpose reaches)');
    // Every record of the other child is refused on its own, not only the first one.
    for (const i of [0, 2]) for (const field of ['givenName', 'annualIncome', 'incomes', 'taxAssessments']) {
      expect(reasons.some((r) => r.startsWith(`me.children.${i}.${field}: UNAUTHORIZED_FIELD_OR_TYPE SUBJECT_OUT_OF_SCOPE`))).toBe(true);
    }
    expect(reasons.some((r) => /^me\.children\.[13]\./.test(r))).toBe(false);
  });

  it('refuses a field the purpose denies on every record, never from an earlier allow of another field', async () => {
    const people = household();
    const result = await run(shieldSchema(base(), policy), people, caseworker, `query($id: ID!) { citizen(id: $id) ${VIEW} }`, { id: 'A' });
    const view = result.data?.citizen as { givenName: string; taxAssessments: unknown; children: { givenName: string; taxAssessments: unknown }[] };
    expect(view.givenName).toBe('name of A');
    expect(view.taxAssessments).toBeNull();
    expect(view.children.map((c) => [c.givenName, c.taxAssessments])).toEqual([['name of C2', null], ['name of C1', null], ['name of C2', null], ['name of C1', null]]);
    expect(refusals(result).filter((r) => r.includes('taxAssessments: UNAUTHORIZED_FIELD_OR_TYPE EXPLICITLY_DENIED'))).toHaveLength(6);
  });

  it('resolves a repeat of an allowed question without a promise, and sends a refused one through graphql-shield every time', async () => {
    const schema = shieldSchema(base(), policy);
    const resolve = (field: string, parent: Person, context: object) =>
      (schema.getType('Citizen') as GraphQLObjectType).getFields()[field]!.resolve!(parent, {}, context, { fieldName: field } as GraphQLResolveInfo) as unknown;
    const people = household();
    const context = { caller: citizen('A', ['C1']), policy };
    const first = resolve('givenName', people.A!, context);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('name of A');
    expect(resolve('givenName', people.A!, context)).toBe('name of A');
    // Same field, another person's record: another question, asked through the shield, and refused.
    const partner = resolve('givenName', people.B!, context);
    expect(partner).toBeInstanceOf(Promise);
    expect(await partner).toMatchObject({ extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'SUBJECT_OUT_OF_SCOPE' } });
    expect(resolve('givenName', people.B!, context)).toBeInstanceOf(Promise);
    // A represented child is their own question too.
    expect(resolve('givenName', people.C1!, context)).toBeInstanceOf(Promise);
    // Another request (another context) starts from nothing.
    expect(resolve('givenName', people.A!, { caller: citizen('A', ['C1']), policy })).toBeInstanceOf(Promise);
  });

  it('does not carry allows over when a context is reused for another caller or policy', async () => {
    const schema = shieldSchema(base(), policy);
    const givenName = (schema.getType('Citizen') as GraphQLObjectType).getFields().givenName!.resolve!;
    const people = household();
    const context: { caller: CallerContext; policy: typeof policy } = { caller: caseworker, policy };
    const asCaseworker = await run(schema, people, caseworker, 'query($id: ID!) { citizen(id: $id) { partner { givenName } } }', { id: 'A' });
    expect(asCaseworker.data).toEqual({ citizen: { partner: { givenName: 'name of B' } } });
    expect(await givenName(people.B!, {}, context, { fieldName: 'givenName' } as GraphQLResolveInfo)).toBe('name of B');
    expect(givenName(people.B!, {}, context, { fieldName: 'givenName' } as GraphQLResolveInfo)).toBe('name of B');
    // The same context object now carries a citizen: the caseworker's "givenName of someone else: allowed" must not answer.
    context.caller = citizen('A', []);
    const refused = givenName(people.B!, {}, context, { fieldName: 'givenName' } as GraphQLResolveInfo);
    expect(refused).toBeInstanceOf(Promise);
    expect(await refused).toMatchObject({ extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'SUBJECT_OUT_OF_SCOPE' } });
    // Nor under another policy object (a reload), even for the same caller.
    context.caller = caseworker;
    expect(await givenName(people.B!, {}, context, { fieldName: 'givenName' } as GraphQLResolveInfo)).toBe('name of B');
    const reloaded = { ...policy };
    expect(givenName(people.B!, {}, { caller: caseworker, policy: reloaded }, { fieldName: 'givenName' } as GraphQLResolveInfo)).toBeInstanceOf(Promise);
    const sameContextNewPolicy = Object.assign(context, { policy: reloaded });
    expect(givenName(people.B!, {}, sameContextNewPolicy, { fieldName: 'givenName' } as GraphQLResolveInfo)).toBeInstanceOf(Promise);
  });

  const households = () => {
    const ids = ['P0', 'P1', 'P2', 'P3', 'P4'];
    return fc.record({
      partners: fc.array(fc.option(fc.constantFrom(...ids), { nil: undefined }), { minLength: ids.length, maxLength: ids.length }),
      children: fc.array(fc.array(fc.constantFrom(...ids), { maxLength: 4 }), { minLength: ids.length, maxLength: ids.length }),
      self: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      represented: fc.subarray(ids),
      consented: fc.subarray(ids),
      any: fc.boolean(),
      purpose: fc.constantFrom(...Object.keys(policy.purposes)),
      acr: fc.constantFrom(...ACR_LEVELS),
      root: fc.constantFrom(...ids),
    }).map((c) => {
      const people = Object.fromEntries(ids.map((id) => [id, person(id)]));
      ids.forEach((id, i) => {
        people[id]!.partner = c.partners[i] ? people[c.partners[i]!]! : null;
        people[id]!.children = c.children[i]!.map((child) => people[child]!);
      });
      const caller: CallerContext = {
        actor: c.self ?? 'staff-1', client: 'any-client', purpose: c.purpose, acr: c.acr, requestId: 'r',
        scope: { self: c.self, represented: c.represented, any: c.any, consented: Object.fromEntries(c.consented.map((id) => [id, `consent-${id}`])) },
      };
      return { people, caller, root: c.root };
    });
  };
  const QUERY = `query($id: ID!) { citizen(id: $id) ${VIEW} me ${VIEW} }`;
  const both = (strict: boolean) => [applyMiddleware(base(strict), policyShield(base(strict), policy)), shieldSchema(base(strict), policy)] as const;

  it('answers exactly as graphql-shield alone, for random households, callers and purposes', async () => {
    const [plain, replaying] = both(false);
    await fc.assert(
      fc.asyncProperty(households(), async ({ people, caller, root }) => {
        const [expected, actual] = await Promise.all([run(plain, people, caller, QUERY, { id: root }), run(replaying, people, caller, QUERY, { id: root })]);
        expect(actual.data).toEqual(expected.data);
        expect(refusals(actual)).toEqual(refusals(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('with non-null fields, serves the same data and the same refusals on every record that survives', async () => {
    // A refused non-null field nulls its parent. Which other refusals inside that nulled subtree graphql-js still
    // reports depends on when their promises settle (it finishes when the data does): not part of the answer.
    const [plain, replaying] = both(true);
    const surviving = (result: ExecutionResult) =>
      refusals({ errors: (result.errors ?? []).filter((e) => e.path!.slice(0, -1).reduce<unknown>((at, key) => (at as Record<string | number, unknown> | null)?.[key], result.data) != null) });
    await fc.assert(
      fc.asyncProperty(households(), async ({ people, caller, root }) => {
        const [expected, actual] = await Promise.all([run(plain, people, caller, QUERY, { id: root }), run(replaying, people, caller, QUERY, { id: root })]);
        expect(actual.data).toEqual(expected.data);
        expect(surviving(actual)).toEqual(surviving(expected));
        // Every null that a refusal caused is explained by at least one refusal on each side.
        expect(actual.errors?.length ?? 0).toBeGreaterThanOrEqual(surviving(actual).length);
        expect(Boolean(actual.errors?.length)).toBe(Boolean(expected.errors?.length));
      }),
      { numRuns: 300 },
    );
  });
});
