/**
 * The authorization plan as pure functions, on a small schema with an
 * interface and a union (shapes the real graph may grow into).
 */
import { buildSchema, getOperationAST, parse, print, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Decision, DenialReason } from '../../permissions/decide.ts';
import { applyPlan, buildPlan, planCache, ReservedAliasError, SUBJECT_KEY, TYPENAME_KEY, type StaticJudge } from '../../gateway/enforcement/plan.ts';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Citizen implements Node { id: ID! name: String income: Float children: [Citizen!] address: Address }
  type Address { street: String }
  type Programme implements Node { id: ID! title: String }
  union Result = Citizen | Programme
  type Query { me: Citizen citizen(id: ID!): Citizen node(id: ID!): Node search: [Result!]! }
`);

const ALLOW: Decision = { allow: true };
const judgeDenying = (...denied: string[]): StaticJudge => ({
  field: (coordinate) => (denied.includes(coordinate) ? { allow: false, reason: 'NOT_GRANTED' } : ALLOW),
  mutation: () => ALLOW,
});
const SUBJECTS = new Map([['Citizen', 'id']]);

function plan(query: string, denied: string[] = [], variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = getOperationAST(document) as OperationDefinitionNode;
  return buildPlan({ schema, document, operation, variables, judge: judgeDenying(...denied), subjectTypes: SUBJECTS, purpose: 'p' });
}
const none = new Map<string, DenialReason>();

describe('what is removed before planning', () => {
  it('removes denied fields under aliases, in fragments and in lists, with response paths', () => {
    const built = plan('{ me { who: name children { income ...F } } } fragment F on Citizen { name income }', ['Citizen.income']);
    const { document, removals } = built.executable(none);
    expect(removals.map((r) => r.path.join('.'))).toEqual(['me.children.@.income']);
    expect(print(document)).not.toMatch(/\bincome\b/);
    expect(print(document)).toContain('who: name');
  });

  it('merges every selection of a response key, as graphql-js executes it', () => {
    const built = plan('{ me { id } me { name income } ...Q } fragment Q on Query { me { address { street } } }', ['Citizen.income']);
    expect(built.removals.map((r) => r.path.join('.'))).toEqual(['me.income']);
    const me = built.tree.byType.get('Query')![0]!;
    expect(me.child!.byType.get('Citizen')!.map((f) => f.key)).toEqual(['id', 'name', 'income', 'address']);
  });

  it('asks every Citizen for its subject key, and abstract fields for their concrete type', () => {
    const printed = print(plan('{ me { name } node(id: "1") { id } search { ... on Programme { title } } }').executable(none).document);
    expect(printed).toContain(`${SUBJECT_KEY}: id`);
    expect(printed).toContain(`${TYPENAME_KEY}: __typename`);
    expect(printed).toMatch(/\.\.\. on Citizen \{\s*_cgSubject: id/);
  });

  it('keeps a selection valid when every field in it is denied', () => {
    const { document, removals } = plan('{ me { name income } }', ['Citizen.name', 'Citizen.income']).executable(none);
    expect(removals).toHaveLength(2);
    expect(print(document)).toMatch(/me \{\s*_cgKeep: __typename/);
  });

  it('does not report a denied field that @skip leaves out', () => {
    expect(plan('query($s: Boolean!) { me { income @skip(if: $s) } }', ['Citizen.income'], { s: true }).removals).toEqual([]);
    expect(plan('query($s: Boolean!) { me { income @skip(if: $s) } }', ['Citizen.income'], { s: false }).removals).toHaveLength(1);
  });

  it('refuses client aliases in the reserved namespace, wherever they are (even under @skip)', () => {
    expect(() => plan('{ me { _cgSubject: name } }')).toThrow(ReservedAliasError);
    expect(() => plan('{ me { ... @skip(if: true) { _cgX: name } } }')).toThrow(ReservedAliasError);
  });

  it('removes a root field refused for this caller, with its path, in a document of its own', () => {
    const built = plan('{ me { name } other: citizen(id: "x") { name } }');
    expect(built.roots.map((r) => [r.key, r.args({})])).toEqual([['me', {}], ['other', { id: 'x' }]]);
    const refused = built.executable(new Map([['other', 'SUBJECT_OUT_OF_SCOPE']]));
    expect(print(refused.document)).not.toContain('citizen');
    expect(refused.removals).toEqual([{ path: ['other'], field: 'Query.citizen', reason: 'SUBJECT_OUT_OF_SCOPE' }]);
    expect(refused.signature).not.toBe(built.executable(none).signature);
    expect(built.executable(none)).toBe(built.executable(none));
  });

  it('is cached per document, purpose, assurance and @skip/@include values, never per argument value', () => {
    const planFor = planCache();
    const document = parse('query($s: Boolean!, $id: ID!) { citizen(id: $id) { name @skip(if: $s) } }');
    const operation = getOperationAST(document)!;
    const input = (variables: Record<string, unknown>, acr = 'high') => ({ schema, document, operation, variables, judge: judgeDenying(), subjectTypes: SUBJECTS, purpose: 'p', acr });
    const first = planFor(input({ s: false, id: 'a' }));
    expect(planFor(input({ s: false, id: 'b' }))).toBe(first);
    expect(planFor(input({ s: true, id: 'a' }))).not.toBe(first);
    expect(planFor(input({ s: false, id: 'a' }, 'low'))).not.toBe(first);
    expect(first.roots[0]!.args({ s: false, id: 'b' })).toEqual({ id: 'b' });
  });
});

describe('the one pass over the response', () => {
  const subjectJudge = (allowedSubjects: string[]) => (field: string, subject: string): Decision =>
    field === 'Citizen.id' || allowedSubjects.includes(subject) ? ALLOW : { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' };

  function check(query: string, data: Record<string, unknown>, allowedSubjects: string[], denied: string[] = []) {
    const built = plan(query, denied);
    const collected: string[] = [];
    const errors = applyPlan({ plan: built, refusedRoots: none, data: data as never, judge: subjectJudge(allowedSubjects), purpose: 'p', collect: (s, f) => collected.push(`${s}:${f}`) });
    return { data, errors, collected };
  }

  it('judges each Citizen for its own subject, strips the reserved keys, and tells the audit exactly what is left', () => {
    const { data, errors, collected } = check('{ me { name children { id name } address { street } } }', {
      me: { name: 'Me', [SUBJECT_KEY]: 'a', address: { street: 'S' }, children: [{ id: 'b', name: 'Kid', [SUBJECT_KEY]: 'b' }, { id: 'c', name: 'Other', [SUBJECT_KEY]: 'c' }] },
    }, ['a', 'b']);
    expect(data).toEqual({ me: { name: 'Me', address: { street: 'S' }, children: [{ id: 'b', name: 'Kid' }, { id: 'c', name: null }] } });
    expect(errors.map((e) => e.path)).toEqual([['me', 'children', 1, 'name']]);
    expect(collected.sort()).toEqual(['a:Address.street', 'a:Citizen.address', 'a:Citizen.children', 'a:Citizen.name', 'b:Citizen.id', 'b:Citizen.name', 'c:Citizen.id', 'undefined:Query.me'].sort());
  });

  it('judges the merged selections of a repeated key', () => {
    const { data, collected } = check('{ me { id } me { name income } }', { me: { id: 'c', name: 'N', income: 1, [SUBJECT_KEY]: 'c' } }, []);
    expect(data).toEqual({ me: { id: 'c', name: null, income: null } });
    expect(collected).toEqual(['c:Citizen.id', 'undefined:Query.me']);
  });

  it('puts null where a field was removed, in every item of a list', () => {
    const { data } = check('{ me { children { income } } }', { me: { [SUBJECT_KEY]: 'a', children: [{ [SUBJECT_KEY]: 'b' }, { [SUBJECT_KEY]: 'c' }] } }, ['a', 'b', 'c'], ['Citizen.income']);
    expect(data).toEqual({ me: { children: [{ income: null }, { income: null }] } });
  });

  it('judges a Citizen reached through an interface or a union by its concrete type', () => {
    const { data, errors } = check('{ node(id: "x") { ... on Citizen { name } } search { ... on Citizen { income } ... on Programme { title } } }', {
      node: { name: 'Hidden', [TYPENAME_KEY]: 'Citizen', [SUBJECT_KEY]: 'x' },
      search: [
        { income: 10, [TYPENAME_KEY]: 'Citizen', [SUBJECT_KEY]: 'x' },
        { title: 'Public', [TYPENAME_KEY]: 'Programme' },
      ],
    }, []);
    expect(data).toEqual({ node: { name: null }, search: [{ income: null }, { title: 'Public' }] });
    expect(errors.map((e) => e.path)).toEqual([['node', 'name'], ['search', 0, 'income']]);
  });

  it('refuses everything of a Citizen whose subject key is missing', () => {
    const { data } = check('{ me { name } }', { me: { name: 'Someone' } }, ['a']);
    expect(data).toEqual({ me: { name: null } });
  });
});
