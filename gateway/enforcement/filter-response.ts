/**
 * Purpose enforcement after execution: null the paths removed before planning,
 * then judge every Citizen record in the result for its own subject (a child
 * the actor represents, a partner they do not), and strip the reserved keys
 * the rewritten operation added. Nothing leaves that the decision refused.
 */
import {
  Kind,
  getNamedType,
  isInterfaceType,
  isAbstractType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type DocumentNode,
} from 'graphql';
import type { Decision } from '../../permissions/decide.ts';
import { SUBJECT_TYPE } from '../../permissions/model.ts';
import { unauthorizedField, UNAUTHORIZED } from '../../platform/errors.ts';
import { RESERVED_PREFIX, SUBJECT_KEY, TYPENAME_KEY, isIncluded, type Removal } from './filter-operation.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Judges a field of a subject's record: (`Citizen.field`, subject id) -> decision. */
export type SubjectJudge = (field: string, subjectId: string) => Decision;

/**
 * Told of every field actually returned (non-null, after filtering), with the
 * subject whose data it is: the Citizen holding it, or the nearest Citizen
 * above a nested object (an Address is its citizen's), undefined outside any.
 * The audit record is built from this: which fields of whom left the gateway.
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

function setNull(node: Json | undefined, path: string[]): void {
  if (node === null || node === undefined || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '@') {
    if (Array.isArray(node)) for (const item of node) setNull(item, rest);
    return;
  }
  if (!isObject(node)) return;
  if (rest.length === 0) node[head] = null;
  else setNull(node[head], rest);
}

export function removalError(purpose: string, removal: Removal): GraphQLFormattedError {
  return unauthorizedField(purpose, removal.field, removal.reason, removal.path).toJSON();
}

/** Puts `null` (and one error) where the operation filter removed a field. */
export function applyRemovals(data: JsonObject, removals: readonly Removal[], purpose: string): GraphQLFormattedError[] {
  for (const removal of removals) setNull(data, removal.path);
  return removals.map((removal) => removalError(purpose, removal));
}

/** Whether a fragment with this type condition applies to an object of `type` (as graphql-js's executor decides). */
function conditionApplies(schema: GraphQLSchema, condition: string | undefined, type: GraphQLCompositeType): boolean {
  if (condition === undefined || condition === type.name) return true;
  const conditionType = schema.getType(condition);
  if (!conditionType || !isAbstractType(conditionType)) return false;
  // An abstract object type (its concrete type unknown) keeps every fragment: judged conservatively below.
  return isAbstractType(type) || (isObjectType(type) && schema.isSubType(conditionType, type));
}

function collectFields(
  schema: GraphQLSchema,
  type: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  into: Map<string, FieldNode> = new Map(),
  seen: Set<string> = new Set(),
): Map<string, FieldNode> {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const earlier = into.get(key);
      // The same response key selected twice is one field with both sub-selections (graphql-js merges them):
      // judge and audit all of it, not only the first one's (found by test/hardening/generative.test.ts).
      if (!earlier) into.set(key, selection);
      else if (earlier.selectionSet && selection.selectionSet) {
        into.set(key, { ...earlier, selectionSet: { ...earlier.selectionSet, selections: [...earlier.selectionSet.selections, ...selection.selectionSet.selections] } });
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (conditionApplies(schema, selection.typeCondition?.name.value, type)) collectFields(schema, type, selection.selectionSet, fragments, variables, into, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment && conditionApplies(schema, fragment.typeCondition.name.value, type)) collectFields(schema, type, fragment.selectionSet, fragments, variables, into, seen);
    }
  }
  return into;
}

export function enforceSubjects(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: JsonObject,
  judge: SubjectJudge,
  purpose: string,
  collect?: ReturnedFieldCollector,
): GraphQLFormattedError[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const errors: GraphQLFormattedError[] = [];
  // Every item of a list has the same selection: its fields (and their `Type.field` names) are worked out once
  // per (selection set, type), not per item.
  type Selected = { key: string; node: FieldNode; name: string; qualified: string };
  const collected = new Map<SelectionSetNode, Map<GraphQLCompositeType, Selected[]>>();
  const fieldsOf = (type: GraphQLCompositeType, selectionSet: SelectionSetNode): Selected[] => {
    let byType = collected.get(selectionSet);
    if (!byType) collected.set(selectionSet, (byType = new Map()));
    let fields = byType.get(type);
    if (!fields) {
      fields = [...collectFields(schema, type, selectionSet, fragments, variables)].map(([key, node]) => ({ key, node, name: node.name.value, qualified: `${type.name}.${node.name.value}` }));
      byType.set(type, fields);
    }
    return fields;
  };

  const visitValue = (value: Json | undefined, selectionSet: SelectionSetNode, type: GraphQLCompositeType, path: Path, owner: string | undefined) => {
    if (Array.isArray(value)) value.forEach((item, index) => visitValue(item, selectionSet, type, { parent: path, key: index }, owner));
    else if (isObject(value)) visitObject(value, selectionSet, type, path, owner);
  };

  const visitObject = (object: JsonObject, selectionSet: SelectionSetNode, staticType: GraphQLCompositeType, path: Path, owner?: string) => {
    const subjectId = object[SUBJECT_KEY];
    // Through an interface or union, the concrete type the rewritten operation asked for decides.
    const concrete = isAbstractType(staticType) && typeof object[TYPENAME_KEY] === 'string' ? schema.getType(object[TYPENAME_KEY]) : undefined;
    const type = (concrete ?? staticType) as GraphQLCompositeType;
    const isSubject = type.name === SUBJECT_TYPE;
    for (const key of Object.keys(object)) if (key.startsWith(RESERVED_PREFIX)) delete object[key];
    if (!isObjectType(type) && !isInterfaceType(type)) return;
    const fieldDefs = type.getFields();
    for (const { key, node, name, qualified } of fieldsOf(type, selectionSet)) {
      if (name.startsWith('__') || !(key in object)) continue;
      if (isSubject) {
        // A Citizen without its subject key cannot be judged: refuse everything it holds.
        const decision: Decision = typeof subjectId === 'string' ? judge(qualified, subjectId) : { allow: false, reason: 'SUBJECT_OUT_OF_SCOPE' };
        if (!decision.allow) {
          object[key] = null;
          errors.push(unauthorizedField(purpose, qualified, decision.reason, pathArray({ parent: path, key })).toJSON());
          continue;
        }
      }
      const definition = fieldDefs[name];
      const holder = isSubject && typeof subjectId === 'string' ? subjectId : owner;
      if (node.selectionSet && definition) {
        visitValue(object[key], node.selectionSet, getNamedType(definition.type) as GraphQLCompositeType, { parent: path, key }, holder);
      }
      if (collect && object[key] !== null && object[key] !== undefined) collect(holder, qualified);
    }
  };

  const root = schema.getRootType(operation.operation);
  if (root) visitObject(data, operation.selectionSet, root, undefined);
  return errors;
}

/** A subgraph's own denial at a path the gateway already reported is the same denial: report it once. */
export function dropDuplicateDenials(errors: readonly GraphQLFormattedError[], reported: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const key = (path: readonly (string | number)[] | undefined) => JSON.stringify(path ?? []);
  const seen = new Set(reported.map((e) => key(e.path)));
  return errors.filter((e) => !(e.extensions?.code === UNAUTHORIZED && seen.has(key(e.path))));
}
