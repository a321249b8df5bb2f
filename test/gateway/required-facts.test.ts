/**
 * Facts a subgraph `@requires` (gateway/enforcement/required-facts.ts), as
 * pure functions over a small supergraph: which coordinates a field rests on,
 * the plan refusing a field whose facts the purpose may not read, and the
 * hand-over judging every fact for its own subject before the fetch leaves.
 */
import { buildSchema, getOperationAST, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../permissions/decide.ts';
import { buildPlan, type StaticJudge } from '../../gateway/enforcement/plan.ts';
import { handOver, requirementsFor, requirementsOf } from '../../gateway/enforcement/required-facts.ts';
import { apiSchema } from '../support/api-schema.ts';

const SUPERGRAPH = `
  directive @join__field(graph: String, requires: String) repeatable on FIELD_DEFINITION
  type Citizen {
    id: ID!
    born: String
    income: Float
    children: [Citizen!]
    paidFor: [String!] @join__field(graph: "BENEFITS", requires: "born children { id born }")
    verdict: String @join__field(graph: "BENEFITS", requires: "income")
  }
  type Query { me: Citizen }
`;
const schema = buildSchema(`
  type Citizen { id: ID! born: String income: Float children: [Citizen!] paidFor: [String!] verdict: String }
  type Query { me: Citizen }
`);
const requirements = requirementsOf(SUPERGRAPH, schema);
const SUBJECTS = new Map([['Citizen', 'id']]);
const ALLOW: Decision = { allow: true };

describe('what a field rests on', () => {
  it('every coordinate of its @requires selection, nested ones included; in a representation, the top-level ones are facts', () => {
    expect(requirements.byField.get('Citizen.paidFor')).toEqual(['Citizen.born', 'Citizen.children', 'Citizen.id']);
    expect(requirements.byField.get('Citizen.verdict')).toEqual(['Citizen.income']);
    expect([...requirements.factsOf.get('Citizen')!].sort()).toEqual(['born', 'children', 'income']);
  });

  it("the served supergraph: the board's eligibility rests on facts of four other agencies", () => {
    const real = requirementsFor(apiSchema());
    expect(real.byField.get('Citizen.eligibility')).toEqual(expect.arrayContaining(['Citizen.annualIncome', 'Citizen.householdMembers', 'Citizen.inEducation', 'Citizen.dateOfBirth']));
    expect(real.byField.get('Citizen.benefitsPaidFor')).toEqual(['Citizen.dateOfBirth', 'Citizen.id', 'Citizen.parents']);
  });
});

describe('the plan', () => {
  const plan = (query: string, denied: string[]) => {
    const document = parse(query);
    const judge: StaticJudge = { field: (c) => (denied.includes(c) ? { allow: false, reason: 'NOT_GRANTED' } : ALLOW), mutation: () => ALLOW };
    return buildPlan({ schema, document, operation: getOperationAST(document) as OperationDefinitionNode, variables: {}, judge, subjectTypes: SUBJECTS, purpose: 'p', requirements: requirements.byField, reservedKeys: requirements.reservedKeys });
  };

  it('refuses a field whose facts the purpose may not read, though the field itself is granted', () => {
    const refused = plan('{ me { id verdict paidFor } }', ['Citizen.income']);
    expect(refused.removals).toEqual([{ path: ['me', 'verdict'], field: 'Citizen.verdict', reason: 'NOT_GRANTED' }]);
  });

  it("refuses any other field answering under a fact's response key, at any depth (the planner hands over by response key)", () => {
    expect([...requirements.reservedKeys.get('Citizen')!].sort()).toEqual(['born', 'children', 'id', 'income']);
    for (const query of ['{ me { born: income paidFor } }', '{ me { paidFor children { id born: income } } }', '{ me { id: born } }', '{ me { children: children { id } income: verdict } }']) {
      expect(() => plan(query, []), query).toThrow(/is the name of a fact other agencies hand over/);
    }
    // The fact itself, under its own name, as often as wanted; other aliases are free.
    expect(plan('{ me { born born children { id born } paidFor b: income } }', []).removals).toEqual([]);
  });

  it('plans it when every fact is granted', () => {
    expect(plan('{ me { id verdict paidFor } }', []).removals).toEqual([]);
  });
});

describe('the hand-over', () => {
  const child = { id: 'c1', born: '2020-01-01' };
  const representation = () => ({ __typename: 'Citizen', id: 'p1', born: '1990-01-01', children: [child, { id: 'c2', born: '2022-02-02' }] });

  it('judges every fact for its own subject and records each one handed over', () => {
    const asked: string[] = [];
    const told: string[] = [];
    const sent = handOver([representation()], {
      schema, requirements, subjectTypes: SUBJECTS,
      judge: (field, subject) => (asked.push(`${subject}:${field}`), ALLOW),
      collect: (subject, field) => told.push(`${subject}:${field}`),
    });
    expect(sent).toEqual([representation()]);
    const expected = ['p1:Citizen.born', 'p1:Citizen.children', 'c1:Citizen.id', 'c1:Citizen.born', 'c2:Citizen.id', 'c2:Citizen.born'];
    expect(asked).toEqual(expected);
    expect(told).toEqual(expected);
  });

  it("sends a representation with a refused fact with its key alone, records none of its facts, and names whom it was about", () => {
    const told: string[] = [];
    const refused: string[] = [];
    const other = { __typename: 'Citizen', id: 'p2', income: 100 };
    const sent = handOver([representation(), other], {
      schema, requirements, subjectTypes: SUBJECTS,
      judge: (field, subject) => (subject === 'c2' && field === 'Citizen.born' ? { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' } : ALLOW),
      collect: (subject, field) => told.push(`${subject}:${field}`),
      refused: (subject, field, decision) => refused.push(`${subject}:${field}:${decision.reason}`),
    });
    expect(sent).toEqual([{ __typename: 'Citizen', id: 'p1' }, other]);
    expect(refused).toEqual(['c2:Citizen.born:SUBJECT_OUT_OF_SCOPE']);
    expect(told).toEqual(['p2:Citizen.income']);
  });

  it('refuses a nested record of a subject type that carries no key: it cannot be judged', () => {
    const refused: string[] = [];
    const sent = handOver([{ __typename: 'Citizen', id: 'p1', children: [{ born: '2020-01-01' }] }], {
      schema, requirements, subjectTypes: SUBJECTS, judge: () => ALLOW,
      refused: (subject, field, decision) => refused.push(`${subject}:${field}:${decision.reason}`),
    });
    expect(sent).toEqual([{ __typename: 'Citizen', id: 'p1' }]);
    expect(refused).toEqual(['p1:Citizen.id:SUBJECT_OUT_OF_SCOPE']);
  });

  it('leaves a representation without facts (a plain entity fetch) untouched and unjudged', () => {
    let asked = 0;
    const sent = handOver([{ __typename: 'Citizen', id: 'p1' }], { schema, requirements, subjectTypes: SUBJECTS, judge: () => (asked++, ALLOW) });
    expect(sent).toEqual([{ __typename: 'Citizen', id: 'p1' }]);
    expect(asked).toBe(0);
  });
});
