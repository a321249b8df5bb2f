/**
 * Defence in depth: every subgraph enforces the same policy the gateway does,
 * as graphql-shield rules generated from the policy for every field of its
 * schema, with deny as the fallback. A subgraph reached without the gateway
 * therefore serves exactly what the signed context's purpose allows.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import { allow, deny, rule, shield } from 'graphql-shield';
import { decide, decideMutation, type Decision } from '../../permissions/decide.ts';
import { decideRootSubject, relationOf, type RootSubject } from '../../permissions/subjects.ts';
import { SUBJECT_TYPE, type Policy } from '../../permissions/model.ts';
import type { CallerContext } from './context-token.ts';
import { unauthorizedField } from './errors.ts';

export interface ShieldContext {
  caller: CallerContext;
  policy: Policy;
}

const FEDERATION_FIELDS = new Set(['_entities', '_service']);

export function policyShield(schema: GraphQLSchema, rootSubjects: Record<string, RootSubject>) {
  const byField = rule({ cache: 'no_cache' })((parent, args, ctx: ShieldContext, info) => {
    const { policy, caller } = ctx;
    const type = info.parentType.name;
    const field = `${type}.${info.fieldName}`;
    let decision: Decision;
    if (type === schema.getMutationType()?.name) {
      decision = decideMutation(policy, caller.purpose, info.fieldName, caller.acr);
    } else if (type === schema.getQueryType()?.name) {
      decision = decideRootSubject(policy, caller.purpose, caller.scope, rootSubjects[info.fieldName] ?? 'none', args);
      if (decision.allow) decision = decide(policy, { purpose: caller.purpose, field, acr: caller.acr });
    } else if (type === SUBJECT_TYPE) {
      const subjectId = (parent as { id?: string }).id;
      const relation = subjectId === undefined ? 'other' : relationOf(caller.scope, subjectId);
      decision = decide(policy, { purpose: caller.purpose, field, relation, acr: caller.acr });
    } else {
      decision = decide(policy, { purpose: caller.purpose, field, acr: caller.acr });
    }
    return decision.allow ? true : unauthorizedField(caller.purpose, field, decision.reason);
  });

  type FieldRule = typeof allow | typeof byField;
  const tree: Record<string, Record<string, FieldRule>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
    tree[type.name] = {};
    for (const fieldName of Object.keys(type.getFields())) {
      const isFederation = type === schema.getQueryType() && FEDERATION_FIELDS.has(fieldName);
      tree[type.name]![fieldName] = isFederation ? allow : byField;
    }
  }
  if (schema.getType('_Service')) tree._Service = { sdl: allow };
  return shield(tree, { fallbackRule: deny, allowExternalErrors: true, debug: false });
}
