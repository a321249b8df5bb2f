/**
 * Errors leave a service with a stable code and a message meant for clients.
 * Anything unexpected (a database error, a bug) becomes INTERNAL_SERVER_ERROR
 * with a neutral message: SQL, stack traces and personal data stay inside.
 */
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { logger } from './logger.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

/** Codes meant for clients: kept as they are (README, "Errors", lists them). */
export const CLIENT_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'RESPONSE_TOO_LARGE',
  'LIFE_EVENT_NOT_ATTESTED',
  'LIFE_EVENT_MISMATCH',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'PURPOSE_NOT_ALLOWED',
  'CASE_REFERENCE_REQUIRED',
  'ACTOR_NOT_ALLOWED',
  'AUDIT_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'NOT_FOUND',
  'CONFLICT',
  'FACTS_MISSING',
]);

export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && original.extensions?.code && CLIENT_CODES.has(String(original.extensions.code))) {
    return { message: original.message, path: formatted.path, extensions: { code: original.extensions.code } };
  }
  if (isDatabaseUnavailable(original)) {
    logger.warn({ err: { message: (original as Error).message, code: (original as { code?: unknown }).code }, path: formatted.path }, 'database unavailable');
    return { message: 'this agency\'s register is not reachable right now; try again shortly', path: formatted.path, extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };
  }
  // The client gets a neutral message; the operator gets the cause (messages of our own code and drivers, no values).
  logger.error({ err: original instanceof Error ? { message: original.message, name: original.name, stack: original.stack } : String(original), path: formatted.path, code }, 'internal error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
