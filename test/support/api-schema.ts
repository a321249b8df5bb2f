import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';
import { readSupergraph } from '../../schema/compose.ts';

/** The graph as clients see it. */
export function apiSchema(): GraphQLSchema {
  return Supergraph.build(readSupergraph()).apiSchema().toGraphQLJSSchema();
}
