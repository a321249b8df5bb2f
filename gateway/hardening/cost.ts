/**
 * The estimated cost of an operation, in records it may return, computed
 * with its coerced variables: graphql-query-complexity walks the operation
 * (fragments, aliases, @skip/@include with this request's values) and calls
 * our estimator per field, which follows Apollo Router's demand control
 * (static estimate, IBM cost directive model): an object costs 1, a leaf 0,
 * a list multiplies its items' cost by its size (list-sizes.ts), and a
 * mutation starts at 10. graphql-armor's cost rule (operation-limits.ts)
 * still runs at validation, but it sees only literals (`first: $n` counts
 * as 1): this estimate is the one that decides.
 *
 * graphql-query-complexity expands every fragment spread afresh; its
 * maxQueryNodes bound keeps a fragment bomb from costing us what it would
 * cost the subgraphs (an operation over the bound is refused as too costly).
 */
import { GraphQLError, Kind, getNamedType, getNullableType, isCompositeType, isListType, isObjectType, visit, type DocumentNode, type GraphQLNamedType, type GraphQLOutputType, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { requirementsFor } from '../enforcement/required-facts.ts';
import type { ListSize, ListSizes } from './list-sizes.ts';

export const COST_ESTIMATED_TOO_EXPENSIVE = 'COST_ESTIMATED_TOO_EXPENSIVE';
const MUTATION_BASE_COST = 10;
const MAX_QUERY_NODES = 5_000;

/** How many items a field contributes: its slicing argument, its assumed size, or 1 for a single value. */
export function itemsOf(size: ListSize | undefined, type: GraphQLOutputType, args: Record<string, unknown>, defaultListSize: number): number {
  if (size?.sizedBy) return 1;
  if (size?.slicingArgument) {
    const n = args[size.slicingArgument];
    // A negative or fractional page is refused by the subgraph; it returns nothing.
    if (typeof n === 'number' && Number.isFinite(n)) return Math.max(0, Math.ceil(n));
    return size.assumedSize ?? defaultListSize;
  }
  if (isListType(getNullableType(type))) return size?.assumedSize ?? defaultListSize;
  return 1;
}

/**
 * What a field's `@requires` costs: the facts the planner fetches for each
 * record before the field can be resolved, estimated like a selection the
 * client wrote (a page of eligibility reads every household on it).
 */
const requiredCostsKnown = new WeakMap<GraphQLSchema, { sizes: ListSizes; defaultListSize: number; costs: ReadonlyMap<string, number> }>();
function requiredCosts(schema: GraphQLSchema, sizes: ListSizes, defaultListSize: number): ReadonlyMap<string, number> {
  const known = requiredCostsKnown.get(schema);
  if (known?.sizes === sizes && known.defaultListSize === defaultListSize) return known.costs;
  const costs = new Map<string, number>();
  const selectionCost = (type: GraphQLNamedType, selectionSet: SelectionSetNode): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || !isObjectType(type)) continue;
      const field = type.getFields()[selection.name.value];
      if (!field) continue;
      const child = selection.selectionSet ? selectionCost(getNamedType(field.type), selection.selectionSet) : 0;
      const coordinate = `${type.name}.${field.name}`;
      const size = Object.hasOwn(sizes, coordinate) ? sizes[coordinate] : undefined;
      total += itemsOf(size, field.type, {}, defaultListSize) * ((isCompositeType(getNamedType(field.type)) ? 1 : 0) + child);
    }
    return total;
  };
  for (const [coordinate, { type, selectionSet }] of requirementsFor(schema).selections) costs.set(coordinate, selectionCost(type, selectionSet));
  requiredCostsKnown.set(schema, { sizes, defaultListSize, costs });
  return costs;
}

export function listSizeEstimator(sizes: ListSizes, defaultListSize: number, required: ReadonlyMap<string, number> = new Map()): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    // Introspection reads the schema, not the registers: bounded by the schema's size, and allowed or refused per
    // client by introspection.ts. Decided on the field's name, never an operation's or fragment's (GHSA-733v-p3h5-qpq7).
    if (field.name === '__schema' || field.name === '__type') return 0;
    const own = isCompositeType(getNamedType(field.type)) ? 1 : 0;
    const size = Object.hasOwn(sizes, `${type.name}.${field.name}`) ? sizes[`${type.name}.${field.name}`] : undefined;
    return itemsOf(size, field.type, args, defaultListSize) * (own + childComplexity + (required.get(`${type.name}.${field.name}`) ?? 0));
  };
}

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string;
  operationType: 'query' | 'mutation' | 'subscription';
  /** Coerced (defaults applied). */
  variables: Record<string, unknown>;
  sizes: ListSizes;
  defaultListSize: number;
}

/**
 * A document's cost depends on its variables only through slicing arguments
 * and @include/@skip: the estimate is remembered per document (Apollo Server
 * keeps one parsed document per query text) and per the values of just those
 * variables, so the portal's operations are estimated once, not per request.
 */
interface Remembered {
  schema: GraphQLSchema;
  sizes: ListSizes;
  defaultListSize: number;
  relevant: string[];
  costs: Map<string, number>;
}
const remembered = new WeakMap<DocumentNode, Remembered>();
const MAX_REMEMBERED_PER_DOCUMENT = 64;

function costRelevantVariables(document: DocumentNode, sizes: ListSizes): string[] {
  const slicing = new Set(Object.values(sizes).flatMap((size) => (size.slicingArgument ? [size.slicingArgument] : [])));
  const relevant = new Set<string>();
  let inDirective = 0;
  visit(document, {
    Directive: { enter: () => void (inDirective += 1), leave: () => void (inDirective -= 1) },
    Argument(node) {
      if (inDirective === 0 && !slicing.has(node.name.value)) return;
      visit(node.value, { Variable: (v) => void relevant.add(v.name.value) });
    },
    [Kind.VARIABLE_DEFINITION]: () => false,
  });
  return [...relevant].sort();
}

export function estimateCost(input: CostInput): number {
  let entry = remembered.get(input.document);
  if (!entry || entry.schema !== input.schema || entry.sizes !== input.sizes || entry.defaultListSize !== input.defaultListSize) {
    entry = { schema: input.schema, sizes: input.sizes, defaultListSize: input.defaultListSize, relevant: costRelevantVariables(input.document, input.sizes), costs: new Map() };
    remembered.set(input.document, entry);
  }
  const key = `${input.operationName ?? ''}\u0000${JSON.stringify(entry.relevant.map((name) => input.variables[name] ?? null))}`;
  const known = entry.costs.get(key);
  if (known !== undefined) return known;
  const cost = computeCost(input);
  if (entry.costs.size >= MAX_REMEMBERED_PER_DOCUMENT) entry.costs.clear();
  entry.costs.set(key, cost);
  return cost;
}

/** The estimate, or Infinity when the operation is too large to estimate (over maxQueryNodes). */
function computeCost(input: CostInput): number {
  let cost: number;
  try {
    cost = getComplexity({
      schema: input.schema,
      query: input.document,
      operationName: input.operationName,
      variables: input.variables,
      estimators: [listSizeEstimator(input.sizes, input.defaultListSize, requiredCosts(input.schema, input.sizes, input.defaultListSize))],
      maxQueryNodes: MAX_QUERY_NODES,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) return Infinity;
    // graphql-js validation accepts a nullable variable with a default (`$s: Boolean = true`) in a non-null position;
    // an explicit null then overrides the default and the argument cannot be coerced (graphql-js raises this at
    // execution too). That is the client's input, so a 400 with graphql-js's own words, never a 500.
    if (error instanceof GraphQLError) throw argumentNotCoercible(error);
    throw error;
  }
  return cost + (input.operationType === 'mutation' ? MUTATION_BASE_COST : 0);
}

export function argumentNotCoercible(cause: GraphQLError): GraphQLError {
  return new GraphQLError(cause.message, { nodes: cause.nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

export function costTooHigh(): GraphQLError {
  // No numbers (they tell an attacker how far to go), but words a developer can act on.
  return new GraphQLError('the operation could return too many records (estimated cost limit): ask for smaller pages, fewer nested lists or fewer fields with lists', {
    extensions: { code: COST_ESTIMATED_TOO_EXPENSIVE, http: { status: 400 } },
  });
}
