/**
 * Everything the gateway does against hostile input, in one place:
 * Apollo Server options and plugins (operation limits, the checks on a
 * resolved operation and its answer, introspection per client, no batching,
 * CSRF prevention) and the Express guards before and after authentication
 * (JSON-only POST, known policy mode, body limit, batch refusal, operation
 * name, safelists).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { ValidationRule } from 'graphql';
import { hardeningDefaults, type HardeningConfig } from '../../platform/config.ts';
import type { GatewayContext } from '../context.ts';
import { checkPersistedQueryHash, jsonBody, refuseBatches, requireJsonPost, requireKnownPolicyMode, requireOperationName } from './http-guards.ts';
import { introspectionPlugin } from './introspection.ts';
import { LIST_SIZES } from './list-sizes.ts';
import { operationGuards } from './operation-guards.ts';
import { operationArmor } from './operation-limits.ts';
import { KnownOperationTypesRule } from './operations.ts';
import { loadSafelist, safelistGuard, type Safelist } from './safelist.ts';

export interface GatewayHardening {
  apollo: {
    validationRules: ValidationRule[];
    plugins: ApolloServerPlugin<GatewayContext>[];
    introspection: true;
    allowBatchedHttpRequests: false;
    csrfPrevention: true;
    parseOptions: { maxTokens: number };
  };
  /** Before authentication: content type, body size and shape. */
  beforeAuth: RequestHandler[];
  /** After authentication (the client is known): persisted-operation safelists. */
  afterAuth: RequestHandler[];
}

export function gatewayHardening(config: HardeningConfig = hardeningDefaults(process.env.NODE_ENV === 'production')): GatewayHardening {
  const armor = operationArmor(config.limits);
  const guards = operationGuards({
    limits: config.limits,
    clientLimits: config.clientLimits,
    listSizes: LIST_SIZES,
    defaultListSize: config.defaultListSize,
    suggestions: config.fieldSuggestions,
  });
  const safelists = new Map<string, Safelist>(Object.entries(config.safelists).map(([client, path]) => [client, loadSafelist(path)]));
  return {
    apollo: {
      validationRules: [KnownOperationTypesRule, ...armor.validationRules],
      // The guards first: their hooks must run before the enforcement plugin's (see operation-guards.ts).
      plugins: [guards, ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]), introspectionPlugin({ introspection: config.introspection, clients: config.introspectionClients })],
      // Introspection is decided per client by introspectionPlugin.
      introspection: true,
      allowBatchedHttpRequests: false,
      csrfPrevention: true,
      parseOptions: { maxTokens: config.limits.maxTokens },
    },
    beforeAuth: [requireJsonPost, requireKnownPolicyMode, jsonBody(config.limits.maxBodyBytes), refuseBatches, requireOperationName, checkPersistedQueryHash],
    afterAuth: safelists.size ? [safelistGuard(safelists)] : [],
  };
}
