/**
 * Root fields and subject types are policy data: a root field nobody declared
 * is refused by the judge (gateway and shields alike) and fails `policy check`;
 * declarations that do not fit the schema fail it too.
 */
import { buildSchema, execute, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../permissions/check.ts';
import { extendPolicy } from '../../permissions/extend.ts';
import { judgeRootSubject } from '../../permissions/judge.ts';
import { rootSubjectsNamed } from '../../permissions/subjects.ts';
import { loadPolicy } from '../../permissions/load.ts';
import type { Policy } from '../../permissions/model.ts';
import { readSupergraphSdl } from '../../permissions/schema-fields.ts';
import { policyShield } from '../../subgraphs/kit/shield.ts';
import type { CallerContext } from '../../platform/context-token.ts';

const sdl = readSupergraphSdl();
const policy = loadPolicy();
const withRootField = (name: string) => sdl.replace(/(type Query\n(?:\s+@join__type[^\n]*\n)+\{\n)/, `$1  ${name}(id: ID!): Citizen @join__field(graph: IDENTITY)\n`);
const codes = (p: Policy, s = sdl) => checkPolicy(p, s).filter((x) => x.severity === 'error').map((x) => `${x.code}: ${x.message}`);

describe('policy check: roots and subject types', () => {
  it('reports a root field of a scratch schema no one declared, and names it', () => {
    const scratch = withRootField('anybody');
    expect(scratch).not.toBe(sdl);
    expect(codes(policy, scratch)).toEqual([expect.stringMatching(/^UNCLASSIFIED_FIELD: Query\.anybody/), expect.stringMatching(/^UNDECLARED_ROOT_FIELD: root field Query\.anybody is not in roots/)]);
  });

  it('reports roots of fields or arguments that do not exist, and subject types that do not fit', () => {
    const changed = structuredClone(policy) as Policy & { roots: Record<string, unknown> };
    changed.roots['Query.nobodyHome'] = 'nobody';
    changed.roots['Query.citizen'] = { argument: 'code' };
    changed.subjectTypes.Pet = 'id';
    changed.subjectTypes.Programme = 'code';
    expect(codes(changed)).toEqual([
      expect.stringMatching(/^UNKNOWN_SUBJECT_TYPE: subject type Pet/),
      expect.stringMatching(/^PUBLIC_SUBJECT_FIELD: Programme\.code is public/),
      expect.stringMatching(/^PUBLIC_SUBJECT_FIELD: Programme\.name is public/),
      expect.stringMatching(/^PUBLIC_SUBJECT_FIELD: Programme\.description is public/),
      expect.stringMatching(/^PUBLIC_SUBJECT_FIELD: Programme\.kind is public/),
      expect.stringMatching(/^PUBLIC_SUBJECT_FIELD: Programme\.legalSource is public/),
      expect.stringMatching(/^UNKNOWN_ROOT_ARGUMENT: roots says Query\.citizen .* argument code/),
      expect.stringMatching(/^UNKNOWN_ROOT_FIELD: roots lists Query\.nobodyHome/),
    ]);
  });

  it('checks what mutations name (roots { names }) and which fields disguise a personal code', () => {
    const changed = structuredClone(policy) as Policy & { roots: Record<string, unknown>; disguised: Record<string, string> };
    changed.roots['Mutation.registerBirth'] = { names: ['input.motherId', 'mother'] };
    changed.disguised['CitizenEdge.kursor'] = 'base64url';
    changed.disguised['Programme.code'] = 'plain';
    expect(codes(changed)).toEqual([
      expect.stringMatching(/^UNKNOWN_ROOT_ARGUMENT: roots says Mutation\.registerBirth .* named by mother, but it has no argument mother/),
      expect.stringMatching(/^UNKNOWN_DISGUISED_FIELD: disguised lists CitizenEdge\.kursor/),
      expect.stringMatching(/^PUBLIC_DISGUISED_FIELD: Programme\.code is public/),
    ]);
  });

  it('the shipped policy names the people of every mutation that writes about someone', () => {
    expect(rootSubjectsNamed(policy, 'Mutation.registerBirth', { input: { motherId: 'm', secondParentId: 'f', givenName: 'x' } }, undefined)).toEqual(['m', 'f']);
    expect(rootSubjectsNamed(policy, 'Mutation.recordEligibility', { input: { evaluated: ['a', 'b'], sealed: ['x', 'y'] } }, undefined)).toEqual(['a', 'b']);
    expect(rootSubjectsNamed(policy, 'Mutation.setNotificationPreference', { channel: 'EMAIL' }, 'self-code')).toEqual(['self-code']);
    expect(rootSubjectsNamed(policy, 'Mutation.setNotificationPreference', { channel: 'EMAIL' }, undefined)).toEqual([]);
    expect(rootSubjectsNamed(policy, 'Query.citizen', { id: 'x' }, 'self-code')).toEqual(['x']);
    expect(rootSubjectsNamed(policy, 'Query.citizens', { first: 3 }, 'self-code')).toEqual([]);
  });
});

describe('an undeclared root field is refused', () => {
  const caller: CallerContext = { actor: 'staff-0001', client: 'caseworker-app', purpose: 'child-benefit-eligibility', acr: 'high', requestId: 'r-1', caseRef: 'C-1', scope: { represented: [], any: true } };

  it('by the judge, for every purpose, whatever the arguments', () => {
    for (const purpose of Object.keys(policy.purposes)) {
      expect(judgeRootSubject(policy, { ...caller, purpose }, 'Query.anybody', { id: 'x' })).toEqual({ allow: false, reason: 'UNDECLARED' });
    }
    expect(judgeRootSubject(policy, caller, 'Query.citizen', { id: 'x' })).toEqual({ allow: true });
  });

  it('by a subgraph shield on a scratch schema, even when the field is classified public', async () => {
    const schema = buildSchema('type Query { programmes: [String!]! anybody(id: ID!): String }');
    const scratch = extendPolicy(policy, {});
    const classified: Policy = { ...scratch, classification: { ...scratch.classification, Query: { ...scratch.classification.Query, anybody: 'public' } } };
    const shielded = applyMiddleware(schema, policyShield(schema, classified));
    const run = (query: string) =>
      execute({ schema: shielded, document: parse(query), rootValue: { programmes: ['p'], anybody: 'someone' }, contextValue: { caller, policy: classified } });
    const refused = await run('{ anybody(id: "x") }');
    expect(refused.data?.anybody ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'UNDECLARED' });
    const declared = await run('{ programmes }');
    expect(declared.errors).toBeUndefined();
    expect(declared.data).toEqual({ programmes: ['p'] });
  });
});
