import { defineAgency } from '../kit/agency.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';

/** The transparency subgraph: the audit log, for the citizen it is about and for privacy officers. */
export const transparency = defineAgency({
  name: 'transparency',
  createLoaders,
  resolvers,
});
