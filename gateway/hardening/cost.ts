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
import { GraphQLError, getNamedType, getNullableType, isCompositeType, isListType, type DocumentNode, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
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

export function listSizeEstimator(sizes: ListSizes, defaultListSize: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const own = isCompositeType(getNamedType(field.type)) ? 1 : 0;
    const size = Object.hasOwn(sizes, `${type.name}.${field.name}`) ? sizes[`${type.name}.${field.name}`] : undefined;
    return itemsOf(size, field.type, args, defaultListSize) * (own + childComplexity);
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

/** The estimate, or Infinity when the operation is too large to estimate (over maxQueryNodes). */
export function estimateCost(input: CostInput): number {
  let cost: number;
  try {
    cost = getComplexity({
      schema: input.schema,
      query: input.document,
      operationName: input.operationName,
      variables: input.variables,
      estimators: [listSizeEstimator(input.sizes, input.defaultListSize)],
      maxQueryNodes: MAX_QUERY_NODES,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) return Infinity;
    throw error;
  }
  return cost + (input.operationType === 'mutation' ? MUTATION_BASE_COST : 0);
}

export function costTooHigh(): GraphQLError {
  // No numbers (they tell an attacker how far to go), but words a developer can act on.
  return new GraphQLError('the operation could return too many records (estimated cost limit): ask for smaller pages, fewer nested lists or fewer fields with lists', {
    extensions: { code: COST_ESTIMATED_TOO_EXPENSIVE, http: { status: 400 } },
  });
}
