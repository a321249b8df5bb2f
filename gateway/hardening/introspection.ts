/**
 * Introspection per client: on for everyone in development, off in
 * production except for the clients configured. Apollo's own switch is
 * per server, so Apollo keeps it on and this plugin decides per request.
 * It looks for the __schema and __type *fields* anywhere in the document
 * (fragments included) — never at operation or fragment names, which a
 * client chooses freely (see GHSA-733v-p3h5-qpq7 for what trusting names costs).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { GatewayContext } from '../context.ts';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

export function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (INTROSPECTION_FIELDS.has(node.name.value)) {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

export function introspectionPlugin(options: { introspection: boolean; clients: readonly string[] }): ApolloServerPlugin<GatewayContext> {
  const clients = new Set(options.clients);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (options.introspection || clients.has(contextValue.caller.client)) return;
          if (usesIntrospection(document)) {
            // The code Apollo gives its own "introspection disabled" validation error.
            throw new GraphQLError('GraphQL introspection is not allowed for this client', {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
