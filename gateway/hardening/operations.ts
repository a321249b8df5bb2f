/**
 * What makes an operation executable at all, decided before anything else
 * looks at it, with the codes Apollo gives these cases:
 * - an operation type the graph does not have (subscriptions): a validation
 *   rule (graphql-js 17's KnownOperationTypesRule; 16 has none), so
 *   GRAPHQL_VALIDATION_FAILED, 400;
 * - no operation chosen (an unknown `operationName`, or several operations
 *   and none named): OPERATION_RESOLUTION_FAILURE, 400;
 * - variables that do not coerce to their declared types: BAD_USER_INPUT,
 *   400. Coerced once here, defaults applied, and handed on as the request's
 *   variables, so that everything after (cost, strings, enforcement, the
 *   query planner) sees the values the operation will execute with, never
 *   the raw ones (`$s: Boolean = false` sent without `s` is `false`).
 */
import { GraphQLError, type ASTVisitor, type DocumentNode, type OperationDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import type { GraphQLSchema } from 'graphql';

export const KnownOperationTypesRule: ValidationRule = (context: ValidationContext): ASTVisitor => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`this graph does not support ${node.operation} operations`, { nodes: node }));
    }
    return false;
  },
});

export function operationNotResolved(document: DocumentNode | undefined, operationName: string | null | undefined): GraphQLError {
  const operations = (document?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition').length;
  const message = operationName
    ? `the document has no operation named "${operationName.slice(0, 64)}"`
    : operations > 1
      ? 'the document has several operations: name the one to run in "operationName"'
      : 'the document has no operation to run';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

export type Coerced = { variables: Record<string, unknown> } | { error: GraphQLError };

export function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Record<string, unknown> | undefined): Coerced {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {}, { maxErrors: 5 });
  if (result.errors) {
    return {
      error: new GraphQLError(result.errors.map((e) => e.message).join(' '), { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } }),
    };
  }
  return { variables: result.coerced };
}
