/**
 * Facts a subgraph `@requires`: the query planner fetches them from other
 * agencies and hands them to the requiring subgraph inside `_entities`
 * representations. They never appear in the client's document, so the plan
 * sees them only through this module:
 *  - `requirementsOf` reads, once, which field requires which coordinates
 *    (for the plan's static judgement: a field whose facts the purpose may not
 *    read is refused like the facts themselves);
 *  - `handOver` judges every fact of every representation for its own subject
 *    before the fetch leaves, exactly as the response pass judges a returned
 *    field, and tells the audit's collector of each one handed over. A
 *    representation with any fact refused is sent with its key alone: the
 *    requiring subgraph never decides on part of the facts (it answers that
 *    it cannot), and nothing refused crosses to it.
 */
import {
  Kind,
  getNamedType,
  isAbstractType,
  isObjectType,
  parse,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Decision } from '../../permissions/decide.ts';
import { readSupergraph } from '../../schema/compose.ts';
import type { ReturnedFieldCollector, SubjectJudge } from './plan.ts';

export interface Requirements {
  /** `Type.field` -> its `@requires` selection, on `Type`. */
  readonly selections: ReadonlyMap<string, { type: GraphQLNamedType; selectionSet: SelectionSetNode }>;
  /** `Type.field` -> every coordinate its `@requires` selection reads, nested ones included. */
  readonly byField: ReadonlyMap<string, readonly string[]>;
  /** Type -> the top-level fields some `@requires` on it reads: in a representation, these are facts, the rest its key. */
  readonly factsOf: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Type -> every field name a `@requires` selection reads on records of that type, at any depth. The query
   * planner builds a representation from the entity's data by response key, so a client's field answering
   * under one of these keys (an alias, arguments) would stand in for the fact: such keys are the facts' own.
   */
  readonly reservedKeys: ReadonlyMap<string, ReadonlySet<string>>;
}

function selectionOf(fields: string): SelectionSetNode {
  return (parse(`{ ${fields} }`).definitions[0] as OperationDefinitionNode).selectionSet;
}

function coordinatesOf(schema: GraphQLSchema, type: GraphQLNamedType, selectionSet: SelectionSetNode, into: Set<string>, keys?: Map<string, Set<string>>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
      if (inner) coordinatesOf(schema, inner, selection.selectionSet, into, keys);
      continue;
    }
    if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
    const field = (selection as FieldNode).name.value;
    const owners = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
    for (const owner of owners) {
      const definition = owner.getFields()[field];
      if (!definition) continue;
      into.add(`${owner.name}.${field}`);
      if (keys) {
        let names = keys.get(owner.name);
        if (!names) keys.set(owner.name, (names = new Set()));
        names.add(field);
      }
      if (selection.selectionSet) coordinatesOf(schema, getNamedType(definition.type), selection.selectionSet, into, keys);
    }
  }
}

/** The `@requires` of the supergraph (its `@join__field(requires:)`), resolved against the API schema's types. */
export function requirementsOf(supergraphSdl: string, schema: GraphQLSchema): Requirements {
  const selections = new Map<string, { type: GraphQLNamedType; selectionSet: SelectionSetNode }>();
  const byField = new Map<string, readonly string[]>();
  const factsOf = new Map<string, Set<string>>();
  const reservedKeys = new Map<string, Set<string>>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = schema.getType(definition.name.value);
    if (!type) continue;
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        if (directive.name.value !== 'join__field') continue;
        const requires = directive.arguments?.find((a) => a.name.value === 'requires')?.value;
        if (requires?.kind !== Kind.STRING) continue;
        const selection = selectionOf(requires.value);
        const coordinates = new Set<string>();
        coordinatesOf(schema, type, selection, coordinates, reservedKeys);
        byField.set(`${type.name}.${field.name.value}`, [...coordinates].sort());
        selections.set(`${type.name}.${field.name.value}`, { type, selectionSet: selection });
        let facts = factsOf.get(type.name);
        if (!facts) factsOf.set(type.name, (facts = new Set()));
        for (const s of selection.selections) if (s.kind === Kind.FIELD) facts.add(s.name.value);
      }
    }
  }
  return { selections, byField, factsOf, reservedKeys };
}

/** The requirements of the checked-in supergraph (the one the gateway serves), per API schema built from it. */
const known = new WeakMap<GraphQLSchema, Requirements>();
export function requirementsFor(schema: GraphQLSchema): Requirements {
  let found = known.get(schema);
  if (!found) known.set(schema, (found = requirementsOf(readSupergraph(), schema)));
  return found;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface HandOverInput {
  schema: GraphQLSchema;
  requirements: Requirements;
  /** Subject types and the field naming their subject (`Citizen` -> `id`). */
  subjectTypes: ReadonlyMap<string, string>;
  judge: SubjectJudge;
  collect?: ReturnedFieldCollector;
  /** Told of each person a refused fact was about (the audit names them). */
  refused?: (subjectId: string | undefined, field: string, decision: Decision & { allow: false }) => void;
}

/** What the walk needs of an object type, looked up once per fetch: graphql-js's type checks cost more than the walk. */
interface TypeFacts {
  type: GraphQLObjectType;
  /** The field naming its subject, for a subject type. */
  keyField: string | undefined;
  fields: Map<string, FieldFacts>;
}
interface FieldFacts {
  coordinate: string;
  /** Its named type; undefined for a name the type does not have. */
  named: GraphQLNamedType | undefined;
  /** The object type its values are, when it is one. */
  object: GraphQLObjectType | undefined;
}

/**
 * Judges the facts of each representation; returns the representations to
 * send (a refused one reduced to its key). Facts are told to the collector
 * only for the representations sent whole.
 *
 * A page hands over a thousand representations of some forty facts each: the walk is built once per fetch, keeps
 * its state in a few variables reset per representation, and asks graphql-js about each type and field once.
 */
export function handOver(representations: readonly unknown[], input: HandOverInput): unknown[] {
  const { schema, requirements, subjectTypes, judge, collect, refused } = input;
  const types = new Map<GraphQLObjectType, TypeFacts>();
  const factsOfType = (type: GraphQLObjectType): TypeFacts => {
    let known = types.get(type);
    if (!known) types.set(type, (known = { type, keyField: subjectTypes.get(type.name), fields: new Map() }));
    return known;
  };
  const factsOfField = (owner: TypeFacts, name: string): FieldFacts => {
    let known = owner.fields.get(name);
    if (!known) {
      const definition = owner.type.getFields()[name];
      const named = definition ? getNamedType(definition.type) : undefined;
      known = { coordinate: `${owner.type.name}.${name}`, named, object: named && isObjectType(named) ? named : undefined };
      // Only the type's own fields are kept: names from the data that it does not have are not remembered.
      if (definition) owner.fields.set(name, known);
    }
    return known;
  };

  // Per representation: the facts judged so far (subject, coordinate pairs, flat) and the first refusal.
  const toldSubjects: (string | undefined)[] = [];
  const toldFields: string[] = [];
  let denial: { subject: string | undefined; field: string; decision: Decision & { allow: false } } | undefined;

  const subjectOf = (object: JsonObject, type: TypeFacts, owner: string | undefined): string | undefined | null => {
    if (type.keyField === undefined) return owner;
    const id = object[type.keyField];
    // A record of a subject type without its key cannot be judged.
    return typeof id === 'string' ? id : null;
  };
  const visitField = (owner: TypeFacts, subject: string | undefined, name: string, value: Json): void => {
    if (denial) return;
    const field = factsOfField(owner, name);
    if (owner.keyField !== undefined) {
      const decision = subject === undefined ? ({ allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' } as const) : judge(field.coordinate, subject);
      if (!decision.allow) {
        denial = { subject, field: field.coordinate, decision };
        return;
      }
    }
    toldSubjects.push(subject);
    toldFields.push(field.coordinate);
    if (field.named === undefined || value === null) return;
    visitValue(field, value, subject);
  };
  const visitValue = (field: FieldFacts, value: Json, owner: string | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitValue(field, item, owner);
      return;
    }
    if (!isObject(value)) return;
    const named = field.named!;
    let concrete = field.object;
    if (concrete === undefined && isAbstractType(named) && typeof value.__typename === 'string') {
      const typed = schema.getType(value.__typename);
      if (isObjectType(typed)) concrete = typed;
    }
    if (concrete === undefined) {
      denial = { subject: owner, field: named.name, decision: { allow: false, reason: 'UNCLASSIFIED' } };
      return;
    }
    const type = factsOfType(concrete);
    const subject = subjectOf(value, type, owner);
    if (subject === null) {
      denial = { subject: owner, field: `${concrete.name}.${type.keyField}`, decision: { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' } };
      return;
    }
    for (const name in value) if (name !== '__typename') visitField(type, subject, name, value[name]!);
  };

  return representations.map((representation) => {
    if (!isObject(representation) || typeof representation.__typename !== 'string') return representation;
    const facts = requirements.factsOf.get(representation.__typename);
    const typed = schema.getType(representation.__typename);
    if (!facts || !isObjectType(typed)) return representation;
    const type = factsOfType(typed);
    toldSubjects.length = 0;
    toldFields.length = 0;
    denial = undefined;
    let present = false;
    const subject = subjectOf(representation, type, undefined);
    for (const name in representation) {
      if (!facts.has(name)) continue;
      if (!present && subject === null) denial = { subject: undefined, field: `${typed.name}.${type.keyField}`, decision: { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' } };
      present = true;
      if (subject !== null) visitField(type, subject, name, representation[name]!);
    }
    if (!present) return representation;
    if (denial) {
      const { subject: about, field, decision } = denial;
      refused?.(about, field, decision);
      return Object.fromEntries(Object.entries(representation).filter(([key]) => !facts.has(key)));
    }
    if (collect) for (let i = 0; i < toldFields.length; i++) collect(toldSubjects[i], toldFields[i]!);
    return representation;
  });
}
