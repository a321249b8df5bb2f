/**
 * The gateway's checks on one resolved operation and on its answer, as one
 * Apollo Server plugin, in this order:
 *  1. an operation was chosen (operations.ts);
 *  2. the variables as sent are well-formed text, then coerce to their types
 *     and replace the raw ones for everything after;
 *  3. the operation's string literals are text, and its personal-code
 *     arguments are personal codes (input-strings.ts);
 *  4. its estimated cost, with those variables, is within the client's limit (cost.ts);
 * and on the way out:
 *  5. the answer is within the client's records and bytes (response-limits.ts);
 *  6. no "did you mean" anywhere when suggestions are off;
 *  7. a request refused for what the client sent is a 4xx, never a 5xx.
 *
 * Both hooks are synchronous up to their end on purpose: Apollo starts every
 * plugin's hook in plugin order, each running until its first await, so the
 * enforcement plugin (registered after this one) starts only once the
 * variables are coerced, and sees an answer already cut to size.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { ClientLimits, OperationLimits } from '../../platform/config.ts';
import type { GatewayContext } from '../context.ts';
import { estimateCost, costTooHigh } from './cost.ts';
import { checkDocumentStrings, checkPersonalCodes, checkVariableStrings } from './input-strings.ts';
import type { ListSizes } from './list-sizes.ts';
import { coerceVariables, operationNotResolved } from './operations.ts';
import { measureResponse, responseTooLarge } from './response-limits.ts';

export interface OperationGuardOptions {
  limits: Pick<OperationLimits, 'maxEstimatedCost' | 'maxResponseRecords' | 'maxResponseBytes'>;
  clientLimits: Readonly<Record<string, ClientLimits>>;
  listSizes: ListSizes;
  defaultListSize: number;
  suggestions: boolean;
}

/** Codes that mean "the client sent something we refuse": the answer is a 400 whatever raised them. */
const CLIENT_FAULTS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'RESPONSE_TOO_LARGE',
]);

// graphql-js words them "Did you mean "x"?", "… "x" or "y"?", "… the enum value "F"?": all of them.
// (graphql-armor's blockFieldSuggestions masks only the first two.)
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  return errors.map((e) => {
    const message = e.message.replace(SUGGESTION, '').trim();
    return message === e.message ? e : { ...e, message };
  });
}

export function limitsFor(options: OperationGuardOptions, client: string): OperationGuardOptions['limits'] {
  const own = Object.hasOwn(options.clientLimits, client) ? options.clientLimits[client] : undefined;
  return { ...options.limits, ...own };
}

export function operationGuards(options: OperationGuardOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const operation = rc.operation;
          if (!operation) throw operationNotResolved(rc.document, rc.request.operationName);
          const sent = checkVariableStrings(rc.request.variables ?? {});
          if (sent) throw sent;
          const coerced = coerceVariables(rc.schema, operation, rc.request.variables);
          if ('error' in coerced) throw coerced.error;
          rc.request.variables = coerced.variables;
          const literal = checkDocumentStrings(rc.document);
          if (literal) throw literal;
          const notACode = checkPersonalCodes(rc.schema, rc.document, operation, coerced.variables);
          if (notACode) throw notACode;
          const limits = limitsFor(options, rc.contextValue.caller.client);
          const cost = estimateCost({
            schema: rc.schema,
            document: rc.document,
            operationName: operation.name?.value,
            operationType: operation.operation,
            variables: coerced.variables,
            sizes: options.listSizes,
            defaultListSize: options.defaultListSize,
          });
          if (cost > limits.maxEstimatedCost) throw costTooHigh();
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          if (body.kind !== 'single') return;
          const result = body.singleResult;
          if (result.data) {
            const limits = limitsFor(options, rc.contextValue.caller.client);
            if (measureResponse(result.data, { maxRecords: limits.maxResponseRecords, maxBytes: limits.maxResponseBytes }).over) {
              body.singleResult = { errors: [responseTooLarge().toJSON()] };
              rc.response.http.status = 400;
            }
          }
          const errors = body.singleResult.errors;
          if (errors && !options.suggestions) body.singleResult.errors = withoutSuggestions(errors);
          // Apollo Server answers an unknown persisted-query hash with 200; the README promises 400 (a client's fault,
          // and APQ clients read the code from the body whatever the status).
          if (errors?.length && body.singleResult.data == null && errors.every((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) rc.response.http.status = 400;
          const status = rc.response.http.status ?? 200;
          if (status >= 500 && errors?.length && body.singleResult.data == null) {
            if (errors.every((e) => CLIENT_FAULTS.has(String(e.extensions?.code)))) rc.response.http.status = 400;
          }
        },
      };
    },
  };
}
