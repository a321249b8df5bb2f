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
import type { CallerContext } from '../../platform/context-token.ts';
import { unauthorizedField } from '../../platform/errors.ts';

export interface ShieldContext {
  caller: CallerContext;
  policy: Policy;
}

const FEDERATION_FIELDS = new Set(['_entities', '_service']);

export function policyShield(schema: GraphQLSchema, rootSubjects: Record<string, RootSubject>) {
  const queryType = schema.getQueryType()?.name;
  const mutationType = schema.getMutationType()?.name;
  const refuse = (caller: CallerContext, field: string, decision: Decision) =>
    decision.allow ? true : unauthorizedField(caller.purpose, field, decision.reason);

  /** Root fields: whose data they return (the subject scope), then the field itself. */
  const rootRule = (fieldName: string) =>
    rule({ cache: 'no_cache' })((_parent, args, { policy, caller }: ShieldContext) => {
      let decision = decideRootSubject(policy, caller.purpose, caller.scope, rootSubjects[fieldName] ?? 'none', args);
      if (decision.allow) decision = decide(policy, { purpose: caller.purpose, field: `${queryType}.${fieldName}`, acr: caller.acr });
      return refuse(caller, `${queryType}.${fieldName}`, decision);
    });

  const mutationRule = (fieldName: string) =>
    rule({ cache: 'no_cache' })((_parent, _args, { policy, caller }: ShieldContext) =>
      refuse(caller, `${mutationType}.${fieldName}`, decideMutation(policy, caller.purpose, fieldName, caller.acr)));

  /** A subject's field: judged for the subject this record is about, so per record. */
  const subjectRule = (field: string) =>
    rule({ cache: 'no_cache' })((parent, _args, { policy, caller }: ShieldContext) => {
      const subjectId = (parent as { id?: string }).id;
      const relation = subjectId === undefined ? 'other' : relationOf(caller.scope, subjectId);
      return refuse(caller, field, decide(policy, { purpose: caller.purpose, field, relation, acr: caller.acr }));
    });

  /**
   * Any other field (an income's amount, an enrolment's status) is judged by
   * purpose and assurance alone — its subject was judged at the Citizen field
   * above it — so one evaluation per request serves every record
   * ('contextual' caches by rule name within the request's context).
   */
  const staticRule = (field: string) =>
    rule(`static:${field}`, { cache: 'contextual' })((_parent, _args, { policy, caller }: ShieldContext) =>
      refuse(caller, field, decide(policy, { purpose: caller.purpose, field, acr: caller.acr })));

  type FieldRule = typeof allow | ReturnType<typeof staticRule>;
  const tree: Record<string, Record<string, FieldRule>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
    tree[type.name] = {};
    for (const fieldName of Object.keys(type.getFields())) {
      const field = `${type.name}.${fieldName}`;
      tree[type.name]![fieldName] =
        type.name === queryType ? (FEDERATION_FIELDS.has(fieldName) ? allow : rootRule(fieldName))
        : type.name === mutationType ? mutationRule(fieldName)
        : type.name === SUBJECT_TYPE ? subjectRule(field)
        : staticRule(field);
    }
  }
  if (schema.getType('_Service')) tree._Service = { sdl: allow };
  return shield(tree, { fallbackRule: deny, allowExternalErrors: true, debug: false });
}
