/**
 * The gateway's operation and response filters as pure functions, on a small
 * schema with an interface and a union (shapes the real graph may grow into).
 */
import { buildSchema, getOperationAST, parse, print, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../permissions/decide.ts';
import { filterOperation, ReservedAliasError, SUBJECT_KEY, TYPENAME_KEY } from '../../gateway/enforcement/filter-operation.ts';
import { applyRemovals, enforceSubjects } from '../../gateway/enforcement/filter-response.ts';

const schema = buildSchema(`
  interface Node { id: ID! }
  type Citizen implements Node { id: ID! name: String income: Float children: [Citizen!] }
  type Programme implements Node { id: ID! title: String }
  union Result = Citizen | Programme
  type Query { me: Citizen node(id: ID!): Node search: [Result!]! }
`);

const ALLOW: Decision = { allow: true };
const judgeDenying = (...denied: string[]) => (type: string, field: string): Decision =>
  denied.includes(`${type}.${field}`) ? { allow: false, reason: 'NOT_GRANTED' } : ALLOW;

function run(query: string, denied: string[] = [], variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = getOperationAST(document) as OperationDefinitionNode;
  return filterOperation(schema, document, operation, variables, judgeDenying(...denied));
}

describe('filterOperation', () => {
  it('removes denied fields under aliases, in fragments and in lists, with response paths', () => {
    const { document, removals } = run(
      '{ me { who: name children { income ...F } } } fragment F on Citizen { name income }',
      ['Citizen.income'],
    );
    expect(removals.map((r) => r.path.join('.'))).toEqual(['me.children.@.income']);
    expect(print(document)).not.toMatch(/\bincome\b/);
    expect(print(document)).toContain('who: name');
  });

  it('asks every Citizen for its subject key, and abstract fields for their concrete type', () => {
    const printed = print(run('{ me { name } node(id: "1") { id } search { ... on Programme { title } } }').document);
    expect(printed).toContain(`${SUBJECT_KEY}: id`);
    expect(printed).toContain(`${TYPENAME_KEY}: __typename`);
    expect(printed).toMatch(/\.\.\. on Citizen \{\s*_cgSubject: id/);
  });

  it('keeps a selection valid when every field in it is denied', () => {
    const { document, removals } = run('{ me { name income } }', ['Citizen.name', 'Citizen.income']);
    expect(removals).toHaveLength(2);
    expect(print(document)).toMatch(/me \{\s*_cgKeep: __typename/);
  });

  it('does not report a denied field that @skip leaves out', () => {
    expect(run('query($s: Boolean!) { me { income @skip(if: $s) } }', ['Citizen.income'], { s: true }).removals).toEqual([]);
    expect(run('query($s: Boolean!) { me { income @skip(if: $s) } }', ['Citizen.income'], { s: false }).removals).toHaveLength(1);
  });

  it('refuses client aliases in the reserved namespace', () => {
    expect(() => run('{ me { _cgSubject: name } }')).toThrow(ReservedAliasError);
  });
});

describe('enforceSubjects', () => {
  const subjectJudge = (allowedSubjects: string[]) => (field: string, subject: string): Decision =>
    field === 'Citizen.id' || allowedSubjects.includes(subject) ? ALLOW : { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' };

  function check(query: string, data: Record<string, unknown>, allowedSubjects: string[]) {
    const filtered = run(query);
    const operation = getOperationAST(filtered.document) as OperationDefinitionNode;
    const errors = enforceSubjects(schema, filtered.document, operation, {}, data as never, subjectJudge(allowedSubjects), 'p');
    return { data, errors };
  }

  it('judges each Citizen for its own subject and strips the reserved keys', () => {
    const { data, errors } = check('{ me { name children { id name } } }', {
      me: { name: 'Me', [SUBJECT_KEY]: 'a', children: [{ id: 'b', name: 'Kid', [SUBJECT_KEY]: 'b' }, { id: 'c', name: 'Other', [SUBJECT_KEY]: 'c' }] },
    }, ['a', 'b']);
    expect(data).toEqual({ me: { name: 'Me', children: [{ id: 'b', name: 'Kid' }, { id: 'c', name: null }] } });
    expect(errors.map((e) => e.path)).toEqual([['me', 'children', 1, 'name']]);
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

describe('applyRemovals', () => {
  it('puts null at every position of a removed path and one error per removal', () => {
    const data = { me: { children: [{ income: 1 }, { income: 2 }] } } as never;
    const errors = applyRemovals(data, [{ path: ['me', 'children', '@', 'income'], field: 'Citizen.income', reason: 'NOT_GRANTED' }], 'p');
    expect(data).toEqual({ me: { children: [{ income: null }, { income: null }] } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason: 'NOT_GRANTED' });
  });
});
