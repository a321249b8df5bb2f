import { defineAgency } from '../kit/agency.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { checkRuleParameters } from './rules/index.ts';

export const benefits = defineAgency({
  name: 'benefits',
  createLoaders,
  resolvers,
  // A typo in parameters.yaml stops start-up, naming the rule and the key.
  checkAtStart: () => void checkRuleParameters(),
});
