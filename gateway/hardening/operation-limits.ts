/**
 * Limits on the shape of one operation (graphql-armor): depth, aliases,
 * directives, tokens and a shape cost. The shape cost is blind to variables
 * (`first: $n` counts once): it stays as a cheap first guard against
 * fragment and nesting bombs at validation; the estimate that decides is
 * cost.ts, with the coerced variables and every list's size.
 *
 * GHSA-733v-p3h5-qpq7 (cost limit skipped for operations or fragments named
 * `__schema`) is fixed in @escape.tech/graphql-armor-cost-limit 2.4.2; the
 * version installed is checked by test/hardening/hostile-input.test.ts, which
 * sends both bypass shapes. Our own introspection check (introspection.ts)
 * looks at field names only, never at operation or fragment names, so it
 * cannot be fooled the same way.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { OperationLimits } from '../../platform/config.ts';

export interface ArmorProtection {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
}

export function operationArmor(limits: OperationLimits): ArmorProtection {
  // No numbers in refusals (they tell an attacker exactly how far to go), but words a developer can act on.
  // Tokens are limited by the parser itself (parseOptions.maxTokens in index.ts): a clean GRAPHQL_PARSE_FAILED.
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, exposeLimits: false, flattenFragments: true, errorMessage: 'the operation is nested too deeply (depth limit)' },
    maxAliases: { n: limits.maxAliases, exposeLimits: false, allowList: [], errorMessage: 'the operation uses too many aliases (alias limit)' },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: false, errorMessage: 'the operation uses too many directives (directive limit)' },
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, exposeLimits: false, errorMessage: 'the operation would cost too much to run (cost limit): ask for fewer fields or fewer nested lists' },
    // Suggestions are removed from every error (enum values included) by operation-guards.ts.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  // graphql-armor is CommonJS and types its plugins with @apollo/server's CJS declarations; ours are the ESM ones (same runtime shape).
  return { plugins: plugins as unknown as ApolloServerPlugin[], validationRules };
}
