/**
 * Purpose enforcement before planning: walk the operation as it will execute
 * (aliases, fragments, @skip/@include with this request's variables) and
 * remove every field the purpose may not read, so the query planner never
 * asks a subgraph for it. Each removal is reported with its response path.
 *
 * The rewritten operation also asks for every Citizen's `id` under a reserved
 * alias, so that after execution each record can be judged for its own
 * subject (see filter-response.ts).
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  TypeInfo,
  getNamedType,
  getNullableType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isAbstractType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getDirectiveValues } from 'graphql/execution/values.js';
import type { Decision, DenialReason } from '../../permissions/decide.ts';
import { SUBJECT_TYPE } from '../../permissions/model.ts';

/** Reserved response keys the gateway adds and removes again; clients may not use the prefix. */
export const RESERVED_PREFIX = '_cg';
export const SUBJECT_KEY = `${RESERVED_PREFIX}Subject`;
/** The concrete type of an object reached through an interface or union, so its subject can be judged. */
export const TYPENAME_KEY = `${RESERVED_PREFIX}Type`;
const KEEP_KEY = `${RESERVED_PREFIX}Keep`;

/** `'@'` stands for every position of a list, as in Apollo Router's authorization errors. */
export type ResponsePath = string[];

export interface Removal {
  path: ResponsePath;
  field: string;
  reason: DenialReason;
}

export type FieldJudge = (parentType: string, fieldName: string, args: Record<string, unknown>) => Decision;

export interface FilteredOperation {
  document: DocumentNode;
  removals: Removal[];
}

export class ReservedAliasError extends Error {}

const field = (alias: string, name: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});
const SUBJECT_FIELD = field(SUBJECT_KEY, 'id');
const TYPENAME_FIELD = field(TYPENAME_KEY, '__typename');
const SUBJECT_FRAGMENT: SelectionNode = {
  kind: Kind.INLINE_FRAGMENT,
  typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: SUBJECT_TYPE } },
  selectionSet: { kind: Kind.SELECTION_SET, selections: [SUBJECT_FIELD] },
};
const KEEP_FIELD = field(KEEP_KEY, '__typename');

export function isIncluded(node: SelectionNode, variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/** How a field's type extends the response path: one '@' per list level. */
function pathFor(type: GraphQLOutputType, base: ResponsePath): ResponsePath {
  const path = [...base];
  let current: GraphQLOutputType = type;
  for (;;) {
    const nullable = isNonNullType(current) ? current.ofType : current;
    if (!isListType(nullable)) return path;
    path.push('@');
    current = nullable.ofType;
  }
}

export function filterOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  judge: FieldJudge,
): FilteredOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const denied = new Set<FieldNode>();
  const removals: Removal[] = [];
  const removed = new Set<string>();

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, path: ResponsePath, seen: ReadonlySet<string>) => {
    for (const selection of selectionSet.selections) {
      if (!isIncluded(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const key = selection.alias?.value ?? name;
        if (key.startsWith(RESERVED_PREFIX)) throw new ReservedAliasError(`response keys starting with "${RESERVED_PREFIX}" are reserved`);
        // __typename is always allowed; __schema/__type are governed by the introspection setting.
        if (name.startsWith('__')) continue;
        if (!isObjectType(parentType) && !isInterfaceType(parentType)) continue;
        const definition: GraphQLField<unknown, unknown> | undefined = parentType.getFields()[name];
        if (!definition) continue; // validation has already refused unknown fields
        const decision = judge(parentType.name, name, getArgumentValues(definition, selection, variables));
        if (!decision.allow) {
          denied.add(selection);
          // The same response key may be selected directly and through fragments: one removal per path.
          const removal = { path: [...path, key], field: `${parentType.name}.${name}`, reason: decision.reason };
          const id = removal.path.join('\u0000');
          if (!removed.has(id)) {
            removed.add(id);
            removals.push(removal);
          }
          continue;
        }
        if (selection.selectionSet) {
          walk(selection.selectionSet, getNamedType(definition.type) as GraphQLCompositeType, pathFor(definition.type, [...path, key]), seen);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parentType;
        walk(selection.selectionSet, type, path, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // cycles are refused by validation; never loop here
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType, path, new Set([...seen, name]));
      }
    }
  };
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return { document, removals };
  walk(operation.selectionSet, rootType, [], new Set());

  if (denied.size === 0) {
    // Nothing removed: the rewrite depends on the document alone, which Apollo Server parses once per query text.
    let cached = unfiltered.get(document);
    if (cached?.schema !== schema) unfiltered.set(document, (cached = { schema, rewritten: rewrite(schema, document, denied) }));
    return { document: cached.rewritten, removals };
  }
  return { document: rewrite(schema, document, denied), removals };
}

const unfiltered = new WeakMap<DocumentNode, { schema: GraphQLSchema; rewritten: DocumentNode }>();

/** The document without the denied fields, asking for every subject's id (and abstract types' concrete type) under reserved keys. */
function rewrite(schema: GraphQLSchema, document: DocumentNode, denied: ReadonlySet<FieldNode>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
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
          if (named.name === SUBJECT_TYPE) added = [SUBJECT_FIELD];
          else if (isAbstractType(named)) {
            added = [TYPENAME_FIELD];
            if (schema.getPossibleTypes(named).some((t) => t.name === SUBJECT_TYPE)) added.push(SUBJECT_FRAGMENT);
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
