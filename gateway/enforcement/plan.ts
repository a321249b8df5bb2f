/**
 * One authorization plan per operation: a pure function of (schema, validated
 * document, operation, coerced variables, the purpose's static decisions).
 *
 * The walk is graphql-js's own field collection (collectFields /
 * collectSubfields, as the executor runs it): every selection of a response
 * key merged, fragments and their type conditions, aliases, @skip/@include
 * with the coerced variables. From that one walk come
 *  - what is removed before planning (a field no subject may be read for),
 *    with its response path and reason;
 *  - which root fields have their subject checked per request (the actor,
 *    an argument, anyone);
 *  - the tree applied to the result in one pass: per-subject checks on every
 *    record of a subject type, the reserved keys stripped, and the fields of
 *    whom that leave the gateway (the audit's list).
 *
 * A plan depends on the purpose, the assurance and the values of the
 * variables used in @skip/@include, never on who the caller is: it is cached
 * per (document, operation name, purpose, assurance, those values). The
 * caller's own scope enters only through the root checks and the
 * per-subject judge, both per request.
 */
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import { getArgumentValues } from 'graphql/execution/values.js';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Decision, DenialReason } from '../../permissions/decide.ts';
import type { Disguise } from '../../permissions/model.ts';
import { isValidPersonalCode } from '../../platform/personal-code.ts';
import { UNAUTHORIZED, unauthorizedField } from '../../platform/errors.ts';

/** Reserved response keys the gateway adds and removes again; clients may not use the prefix. */
export const RESERVED_PREFIX = '_cg';
export const SUBJECT_KEY = `${RESERVED_PREFIX}Subject`;
/** The concrete type of an object reached through an interface or union, so its subject can be judged. */
export const TYPENAME_KEY = `${RESERVED_PREFIX}Type`;
export const KEEP_KEY = `${RESERVED_PREFIX}Keep`;

/** `'@'` stands for every position of a list, as in Apollo Router's authorization errors. */
export type ResponsePath = readonly string[];

export interface Removal {
  path: ResponsePath;
  field: string;
  reason: DenialReason;
}

/** The decisions a plan is built from: those that hold for every subject and every caller of the purpose. */
export interface StaticJudge {
  /** `Type.field` for any subject (the subject is judged again once known). */
  field(coordinate: string): Decision;
  mutation(name: string): Decision;
}

/** A root field whose subject is judged per request, from the caller's scope and the field's arguments. */
export interface RootCheck {
  key: string;
  fieldName: string;
  /** The field's arguments with this request's variables (a plan is shared by requests with other values). */
  args(variables: Record<string, unknown>): Record<string, unknown>;
}

export interface PlannedField {
  key: string;
  /** `Type.field` */
  coordinate: string;
  /** Denied for every subject: not asked of any subgraph; null and one error in the answer. */
  removed?: DenialReason;
  /** A field of a subject type: judged for the record's own subject. */
  perSubject: boolean;
  /** `__typename` of a subject's record: it confirms the person is registered, so it is recorded as `coordinate` (the key field) for them. */
  existence?: true;
  /** The value is a person's code in disguise (policy `disguised`): recorded for the person it names. */
  disguise?: Disguise;
  child?: PlanNode;
}

export interface PlanNode {
  /** The fields selected per concrete object type (one entry unless the position is abstract). */
  byType: ReadonlyMap<string, readonly PlannedField[]>;
  abstract: boolean;
}

export interface AuthorizationPlan {
  removals: readonly Removal[];
  roots: readonly RootCheck[];
  /** The mutations the operation calls (not refused), with their arguments: whom each writes about is policy (`roots`). */
  mutations: readonly RootCheck[];
  tree: PlanNode;
  /** The document to plan and execute when these root keys are refused for this caller (cached per set). */
  executable(refusedRoots: ReadonlyMap<string, DenialReason>): Executable;
}

export interface Executable {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Distinguishes this document from others of the same query text, for the query planner's cache. */
  signature: string;
  removals: readonly Removal[];
  errors: readonly GraphQLFormattedError[];
}

export class ReservedAliasError extends Error {}

export interface PlanInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Coerced (defaults applied). */
  variables: Record<string, unknown>;
  judge: StaticJudge;
  /** Subject types and the field naming their subject (`Citizen` → `id`). */
  subjectTypes: ReadonlyMap<string, string>;
  purpose: string;
  /** `Type.field` -> how its value carries a person's code (policy `disguised`). */
  disguised?: Readonly<Record<string, Disguise>>;
  /** `Type.field` -> the coordinates its `@requires` reads (required-facts.ts): refused unless the purpose may read them all. */
  requirements?: ReadonlyMap<string, readonly string[]>;
  /** Type -> response keys that only the field of that name, without arguments, may answer under (required-facts.ts). */
  reservedKeys?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** How a field's type extends the response path: one '@' per list level. */
function pathFor(type: GraphQLOutputType, base: string[]): string[] {
  const path = [...base];
  let current: GraphQLOutputType = type;
  for (;;) {
    const nullable = isNonNullType(current) ? current.ofType : current;
    if (!isListType(nullable)) return path;
    path.push('@');
    current = nullable.ofType;
  }
}

const aliased = (alias: string, name: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});
const TYPENAME_FIELD = aliased(TYPENAME_KEY, '__typename');
const KEEP_FIELD = aliased(KEEP_KEY, '__typename');

export function buildPlan(input: PlanInput): AuthorizationPlan {
  const { schema, document, operation, variables, judge, subjectTypes, purpose, disguised = {}, requirements, reservedKeys } = input;
  // A field resting on facts of other agencies is read with them: refused with the first fact the purpose may not read.
  const judgeWithFacts = (coordinate: string): Decision => {
    const decision = judge.field(coordinate);
    if (!decision.allow) return decision;
    for (const fact of requirements?.get(coordinate) ?? []) {
      const factDecision = judge.field(fact);
      if (!factDecision.allow) return factDecision;
    }
    return decision;
  };
  checkReservedKeys(document);
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new GraphQLError('the schema has no root type for this operation', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  const isQuery = rootType === schema.getQueryType();
  const isMutation = rootType === schema.getMutationType();

  const denied = new Map<FieldNode, DenialReason>();
  const removals: Removal[] = [];
  const removedPaths = new Set<string>();
  const roots: RootCheck[] = [];
  const mutations: RootCheck[] = [];
  const rootNodes = new Map<string, readonly FieldNode[]>();

  const fieldsOf = (type: GraphQLObjectType, collected: Map<string, readonly FieldNode[]>, path: string[], atRoot: boolean): PlannedField[] => {
    const planned: PlannedField[] = [];
    const perSubject = subjectTypes.has(type.name);
    const reserved = reservedKeys?.get(type.name);
    for (const [key, nodes] of collected) {
      const name = nodes[0]!.name.value;
      if (reserved?.has(key) && nodes.some((node) => node.name.value !== key || (node.arguments?.length ?? 0) > 0)) {
        throw new ReservedAliasError(
          `the response key "${key}" on ${type.name} is the name of a fact other agencies hand over for @requires: only ${key} itself, without arguments, may answer under it (choose another alias)`,
        );
      }
      // __typename is always allowed; __schema/__type are governed by the introspection setting.
      if (name === '__typename' && perSubject) {
        // Never refused, but a record there (rather than null) says this person exists: audited like their key field.
        planned.push({ key, coordinate: `${type.name}.${subjectTypes.get(type.name)!}`, perSubject, existence: true });
        continue;
      }
      if (name.startsWith('__')) continue;
      const definition = type.getFields()[name];
      if (!definition) continue; // validation has already refused unknown fields
      const coordinate = `${type.name}.${name}`;
      const decision = atRoot && isMutation ? judge.mutation(name) : judgeWithFacts(coordinate);
      if (!decision.allow) {
        for (const node of nodes) denied.set(node, decision.reason);
        const removal: Removal = { path: [...path, key], field: coordinate, reason: decision.reason };
        const id = removal.path.join('\u0000');
        if (!removedPaths.has(id)) {
          removedPaths.add(id);
          removals.push(removal);
        }
        planned.push({ key, coordinate, removed: decision.reason, perSubject });
        continue;
      }
      if (atRoot && isQuery) {
        const node = nodes[0]!;
        roots.push({ key, fieldName: name, args: (values) => getArgumentValues(definition, node, values) });
        rootNodes.set(key, nodes);
      }
      if (atRoot && isMutation) {
        const node = nodes[0]!;
        mutations.push({ key, fieldName: name, args: (values) => getArgumentValues(definition, node, values) });
      }
      const named = getNamedType(definition.type);
      const child = isCompositeType(named) ? nodeFor(named, nodes, pathFor(definition.type, [...path, key])) : undefined;
      const disguise = Object.hasOwn(disguised, coordinate) ? disguised[coordinate] : undefined;
      planned.push({ key, coordinate, perSubject, ...(child ? { child } : {}), ...(disguise ? { disguise } : {}) });
    }
    return planned;
  };

  const nodeFor = (type: GraphQLCompositeType, nodes: readonly FieldNode[], path: string[]): PlanNode => {
    const byType = new Map<string, readonly PlannedField[]>();
    const possible: readonly GraphQLObjectType[] = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
    for (const objectType of possible) {
      byType.set(objectType.name, fieldsOf(objectType, collectSubfields(schema, fragments, variables, objectType, nodes), path, false));
    }
    return { byType, abstract: isAbstractType(type) };
  };

  const tree: PlanNode = {
    byType: new Map([[rootType.name, fieldsOf(rootType, collectFields(schema, fragments, variables, rootType, operation.selectionSet), [], true)]]),
    abstract: false,
  };

  const staticErrors = removals.map((r) => unauthorizedField(purpose, r.field, r.reason, r.path).toJSON());
  const variants = new LRUCache<string, Executable>({ max: 64 });
  const baseSignature = removals.map((r) => r.path.join('.')).join('|');
  return {
    removals,
    roots,
    mutations,
    tree,
    executable(refusedRoots) {
      const cacheKey = [...refusedRoots.keys()].sort().join('\u0000');
      let executable = variants.get(cacheKey);
      if (executable) return executable;
      let removed: ReadonlyMap<FieldNode, DenialReason> = denied;
      const extra: Removal[] = [];
      if (refusedRoots.size) {
        const all = new Map(denied);
        for (const [key, reason] of refusedRoots) {
          for (const node of rootNodes.get(key) ?? []) all.set(node, reason);
          extra.push({ path: [key], field: `${rootType.name}.${rootNodes.get(key)?.[0]?.name.value ?? key}`, reason });
        }
        removed = all;
      }
      const rewritten = rewrite(schema, document, removed, subjectTypes);
      const chosen = rewritten.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (d.name?.value ?? null) === (operation.name?.value ?? null));
      const signature = createHash('sha256').update(`${baseSignature}\u0000${cacheKey}`).digest('hex');
      executable = {
        document: rewritten,
        operation: chosen!,
        signature,
        removals: [...removals, ...extra],
        errors: [...staticErrors, ...extra.map((r) => unauthorizedField(purpose, r.field, r.reason, r.path).toJSON())],
      };
      variants.set(cacheKey, executable);
      return executable;
    },
  };
}

function checkReservedKeys(document: DocumentNode): void {
  visit(document, {
    Field(node) {
      if ((node.alias?.value ?? node.name.value).startsWith(RESERVED_PREFIX)) {
        throw new ReservedAliasError(`response keys starting with "${RESERVED_PREFIX}" are reserved`);
      }
    },
  });
}

/** The document without the denied fields, asking every subject for its key (and abstract fields for their concrete type) under reserved keys. */
function rewrite(schema: GraphQLSchema, document: DocumentNode, denied: ReadonlyMap<FieldNode, unknown>, subjectTypes: ReadonlyMap<string, string>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const subjectSelection = (typeName: string): SelectionNode => aliased(SUBJECT_KEY, subjectTypes.get(typeName)!);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter: (node) => (denied.has(node) ? null : undefined),
        leave(node) {
          const type = typeInfo.getType();
          const named = type && getNamedType(getNullableType(type));
          if (!node.selectionSet || !named) return undefined;
          let added: SelectionNode[] = [];
          if (subjectTypes.has(named.name)) added = [subjectSelection(named.name)];
          else if (isAbstractType(named)) {
            added = [TYPENAME_FIELD];
            for (const possible of schema.getPossibleTypes(named)) {
              if (!subjectTypes.has(possible.name)) continue;
              added.push({
                kind: Kind.INLINE_FRAGMENT,
                typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: possible.name } },
                selectionSet: { kind: Kind.SELECTION_SET, selections: [subjectSelection(possible.name)] },
              });
            }
          }
          if (added.length === 0) return undefined;
          return { ...node, selectionSet: { ...node.selectionSet, selections: [...node.selectionSet.selections, ...added] } };
        },
      },
      SelectionSet: {
        // Every field of a selection removed: keep it valid GraphQL; the marker is stripped from the response.
        leave: (node) => (node.selections.length === 0 ? { ...node, selections: [KEEP_FIELD] } : undefined),
      },
    }),
  );
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Judges a field of a subject's record: (`Type.field`, subject id) -> decision. */
export type SubjectJudge = (field: string, subjectId: string) => Decision;

/**
 * Told of every field actually returned (non-null, after enforcement), with
 * the subject whose data it is: the record of a subject type holding it, or
 * the nearest one above a nested object (an Address is its citizen's),
 * undefined outside any. The audit record is built from this.
 */
export type ReturnedFieldCollector = (subjectId: string | undefined, field: string) => void;

/** A response path as a linked list: built per object visited, turned into an array only for an error. */
type Path = { parent: Path; key: string | number } | undefined;
function pathArray(path: Path): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.parent) keys.push(p.key);
  return keys.reverse();
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ApplyInput {
  plan: AuthorizationPlan;
  refusedRoots: ReadonlyMap<string, DenialReason>;
  data: JsonObject;
  judge: SubjectJudge;
  purpose: string;
  collect?: ReturnedFieldCollector;
  /** Told of each person a refused field was about (their record was reached, the field not served). */
  refused?: (subjectId: string) => void;
  /** Root keys -> the people the call is about (a mutation's mother, the actor): its field is recorded for them. */
  rootSubjects?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The one pass over the response: removed fields become null, every record of
 * a subject type is judged for its own subject, reserved keys are stripped,
 * and what is left is told to the collector. Returns the per-subject errors
 * (the plan's own removals are in its Executable).
 */
export function applyPlan({ plan, refusedRoots, data, judge, purpose, collect, refused, rootSubjects }: ApplyInput): GraphQLFormattedError[] {
  const errors: GraphQLFormattedError[] = [];

  const visitValue = (value: Json | undefined, node: PlanNode, path: Path, owner: string | undefined) => {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) visitValue(value[index], node, { parent: path, key: index }, owner);
    } else if (isObject(value)) visitObject(value, node, path, owner);
  };

  const visitObject = (object: JsonObject, node: PlanNode, path: Path, owner: string | undefined, root = false) => {
    let fields: readonly PlannedField[] | undefined;
    if (node.abstract) {
      const concrete = object[TYPENAME_KEY];
      fields = typeof concrete === 'string' ? node.byType.get(concrete) : undefined;
    } else fields = node.byType.values().next().value;
    const subjectValue = object[SUBJECT_KEY];
    const subjectId = typeof subjectValue === 'string' ? subjectValue : undefined;
    delete object[SUBJECT_KEY];
    delete object[TYPENAME_KEY];
    delete object[KEEP_KEY];
    if (!fields) {
      // A concrete type the plan does not know cannot be judged: nothing of it leaves.
      for (const key of Object.keys(object)) if (key !== '__typename') object[key] = null;
      return;
    }
    for (const field of fields) {
      const { key } = field;
      if (field.existence) {
        if (subjectId !== undefined) collect?.(subjectId, field.coordinate);
        continue;
      }
      if (field.removed || (root && refusedRoots.has(key))) {
        object[key] = null;
        continue;
      }
      const value = object[key];
      if (value === undefined) continue;
      let holder = owner;
      if (field.perSubject) {
        // A record of a subject type without its subject key cannot be judged: refuse everything it holds.
        const decision: Decision = subjectId !== undefined ? judge(field.coordinate, subjectId) : { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' };
        if (!decision.allow) {
          object[key] = null;
          if (subjectId !== undefined) refused?.(subjectId);
          errors.push(unauthorizedField(purpose, field.coordinate, decision.reason, pathArray({ parent: path, key })).toJSON());
          continue;
        }
        holder = subjectId;
      }
      if (value === null) continue;
      if (field.child) visitValue(value, field.child, { parent: path, key }, holder);
      const about = root ? rootSubjects?.get(key) : field.disguise ? disclosedCode(value, field.disguise) : undefined;
      if (about?.length) for (const id of about) collect?.(id, field.coordinate);
      else collect?.(holder, field.coordinate);
    }
  };

  visitObject(data, plan.tree, undefined, undefined, true);
  return errors;
}

/** The personal code a disguised value carries (a cursor), when it carries one. */
function disclosedCode(value: Json, disguise: Disguise): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const code = disguise === 'base64url' ? Buffer.from(value, 'base64url').toString('utf8') : value;
  return isValidPersonalCode(code) ? [code] : undefined;
}

/** A subgraph's own denial at a path the gateway already reported is the same denial: report it once. */
export function dropDuplicateDenials(errors: readonly GraphQLFormattedError[], reported: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const key = (path: readonly (string | number)[] | undefined) => JSON.stringify(path ?? []);
  const seen = new Set(reported.map((e) => key(e.path)));
  return errors.filter((e) => !(e.extensions?.code === UNAUTHORIZED && seen.has(key(e.path))));
}

/** The variables a document's @skip/@include read: the only variable values a plan depends on. */
const directiveVariables = new WeakMap<DocumentNode, readonly string[]>();
function variablesOfDirectives(document: DocumentNode): readonly string[] {
  let names = directiveVariables.get(document);
  if (!names) {
    const found = new Set<string>();
    visit(document, {
      Directive(node) {
        if (node.name.value !== 'skip' && node.name.value !== 'include') return;
        for (const arg of node.arguments ?? []) if (arg.value.kind === Kind.VARIABLE) found.add(arg.value.name.value);
      },
    });
    directiveVariables.set(document, (names = [...found].sort()));
  }
  return names;
}

/**
 * Plans cached per (document, operation name, purpose, assurance, @skip/@include
 * variable values). Apollo Server parses a query text once and hands the same
 * DocumentNode to every request of it, so the document's identity is the key.
 */
export function planCache(max = 200) {
  const byDocument = new WeakMap<DocumentNode, LRUCache<string, AuthorizationPlan>>();
  return function planFor(input: PlanInput & { acr: string }): AuthorizationPlan {
    let plans = byDocument.get(input.document);
    if (!plans) byDocument.set(input.document, (plans = new LRUCache({ max })));
    const values = variablesOfDirectives(input.document).map((name) => (input.variables[name] === true ? '1' : input.variables[name] === false ? '0' : '-')).join('');
    const key = `${input.operation.name?.value ?? ''}\u0000${input.purpose}\u0000${input.acr}\u0000${values}`;
    let plan = plans.get(key);
    if (!plan) plans.set(key, (plan = buildPlan(input)));
    return plan;
  };
}
