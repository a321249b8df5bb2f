/**
 * Strings are checked at the door, before any subgraph or database sees
 * them: every string a client sends (in variables, keys included, and in the
 * operation's literals) must be well-formed text, and every argument that
 * names a person must be a personal identification code.
 *
 * Refused: NUL (PostgreSQL cannot store it in text and answers with an
 * error), the other C0 and C1 control characters and DEL (no field of this
 * graph is meant to hold them; they hide text in logs and terminals), and
 * unpaired UTF-16 surrogates (not text at all: they cannot be encoded as
 * UTF-8). Tab, line feed and carriage return are text (a contest reason has
 * paragraphs).
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { isValidPersonalCode } from '../../platform/personal-code.ts';

/**
 * Arguments and input fields whose value is a person's personal code, as
 * schema coordinates (`Type.field(arg:)` for arguments, `Input.field` for
 * input fields). A test checks that each exists in the supergraph.
 */
export const PERSONAL_CODE_INPUTS: ReadonlySet<string> = new Set([
  'Query.citizen(id:)',
  'Query.auditSearch(subject:)',
  'Mutation.askAboutRead(about:)',
  'RegisterBirthInput.motherId',
  'RegisterBirthInput.secondParentId',
  'RecordBirthInput.childId',
  'RecordBirthInput.motherId',
  'RecordBirthInput.secondParentId',
  'EligibilityInput.evaluated',
]);

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string, in words, or undefined when it is well-formed text. */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'a NUL character';
  if (CONTROL.test(value)) return 'a control character';
  if (LONE_SURROGATE.test(value)) return 'an unpaired surrogate (not valid Unicode text)';
  return undefined;
}

function refused(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 }, ...extra } });
}

/** Every string (and object key) of the variables as sent, at any depth. */
export function checkVariableStrings(variables: unknown, path = '$'): GraphQLError | undefined {
  const check = (value: unknown, at: string, depth: number): GraphQLError | undefined => {
    // JSON from express.json: at most as deep as the body is long; a bound keeps recursion finite anyway.
    if (depth > 64) return refused('variables are nested too deeply');
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      return problem ? refused(`the variable value at ${at} contains ${problem}`, { at }) : undefined;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = check(value[i], `${at}[${i}]`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const problem = stringProblem(key);
        if (problem) return refused(`a key of the variables at ${at} contains ${problem}`, { at });
        const found = check(item, `${at}.${key.slice(0, 64)}`, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return check(variables, path, 0);
}

/** Every string literal of the document (arguments, input objects, lists, directives); once per parsed document. */
const documentVerdicts = new WeakMap<DocumentNode, GraphQLError | null>();
export function checkDocumentStrings(document: DocumentNode): GraphQLError | undefined {
  const known = documentVerdicts.get(document);
  if (known !== undefined) return known ?? undefined;
  const found = findBadLiteral(document);
  documentVerdicts.set(document, found ?? null);
  return found;
}

function findBadLiteral(document: DocumentNode): GraphQLError | undefined {
  let found: GraphQLError | undefined;
  visit(document, {
    [Kind.STRING](node) {
      const problem = stringProblem(node.value);
      if (problem && !found) {
        const line = node.loc ? ` (line ${node.loc.startToken.line}, column ${node.loc.startToken.column})` : '';
        found = refused(`a string in the operation${line} contains ${problem}`);
      }
    },
  });
  return found;
}

/**
 * Every argument of the operation that names a person, with the coerced
 * variables: a personal code, or refused. Input objects and lists are
 * followed through their types.
 */
/** Names of the fields whose arguments can hold a personal code (per schema), and whether a document uses any (per document). */
const codeFieldNames = new WeakMap<GraphQLSchema, Set<string>>();
const documentUsesCodes = new WeakMap<DocumentNode, boolean>();

function fieldsTakingCodes(schema: GraphQLSchema, coordinates: ReadonlySet<string>): Set<string> {
  let names = codeFieldNames.get(schema);
  if (names) return names;
  names = new Set();
  const reaches = (type: GraphQLInputType, seen: Set<string>): boolean => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((f) => coordinates.has(`${named.name}.${f.name}`) || reaches(f.type, seen));
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.some((a) => coordinates.has(`${type.name}.${field.name}(${a.name}:)`) || reaches(a.type, new Set()))) names.add(field.name);
    }
  }
  codeFieldNames.set(schema, names);
  return names;
}

export function checkPersonalCodes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  coordinates: ReadonlySet<string> = PERSONAL_CODE_INPUTS,
): GraphQLError | undefined {
  // Most operations never name a person in an argument: known after one look at the document.
  let uses = coordinates === PERSONAL_CODE_INPUTS ? documentUsesCodes.get(document) : undefined;
  if (uses === undefined) {
    const names = fieldsTakingCodes(schema, coordinates);
    uses = false;
    visit(document, {
      [Kind.FIELD](node) {
        if (node.arguments?.length && names.has(node.name.value)) uses = true;
      },
    });
    if (coordinates === PERSONAL_CODE_INPUTS) documentUsesCodes.set(document, uses);
  }
  if (!uses) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const notACode = (coordinate: string, value: unknown) =>
    refused(`${coordinate} must be a personal identification code (11 digits with a valid check digit), not "${String(value).slice(0, 20)}"`, { argument: coordinate });

  const checkValue = (value: unknown, type: GraphQLInputType, coordinate: string | undefined): GraphQLError | undefined => {
    if (value === null || value === undefined) return undefined;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (!Array.isArray(value)) return checkValue(value, nullable.ofType, coordinate);
      for (const item of value) {
        const found = checkValue(item, nullable.ofType, coordinate);
        if (found) return found;
      }
      return undefined;
    }
    if (coordinate && coordinates.has(coordinate) && !(typeof value === 'string' && isValidPersonalCode(value))) return notACode(coordinate, value);
    if (isInputObjectType(nullable) && typeof value === 'object') {
      const fields = nullable.getFields();
      for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
        const field = fields[name];
        if (!field) continue;
        const found = checkValue(item, field.type, `${nullable.name}.${name}`);
        if (found) return found;
      }
    }
    return undefined;
  };

  let found: GraphQLError | undefined;
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType) => {
    for (const selection of selectionSet.selections) {
      if (found) return;
      if (selection.kind === Kind.FIELD) {
        if (!isObjectType(parentType) && !isInterfaceType(parentType)) continue;
        const definition = parentType.getFields()[selection.name.value];
        if (!definition) continue;
        if (definition.args.length) {
          const args = getArgumentValues(definition, selection, variables);
          for (const arg of definition.args) {
            found = checkValue(args[arg.name], arg.type, `${parentType.name}.${definition.name}(${arg.name}:)`);
            if (found) return;
          }
        }
        if (selection.selectionSet) walk(selection.selectionSet, getNamedType(definition.type) as GraphQLCompositeType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parentType;
        walk(selection.selectionSet, type);
      } else {
        const fragment = fragments.get(selection.name.value);
        // Each fragment once: arguments do not change with where it is spread.
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root);
  return found;
}
