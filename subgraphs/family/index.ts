import { defineAgency } from '../kit/agency.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';

export const family = defineAgency({
  name: 'family',
  createLoaders,
  resolvers,
});
