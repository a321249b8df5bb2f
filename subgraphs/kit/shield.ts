/**
 * Defence in depth: every subgraph enforces the same policy the gateway does,
 * as graphql-shield rules for every field of its schema, with deny as the
 * fallback. Each rule only calls the one judge (permissions/judge.ts), as the
 * gateway does, so a subgraph reached without the gateway serves exactly what
 * the signed context's purpose allows.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { Decision } from '../../permissions/decide.ts';
import { judgeField, judgeMutation, judgeRootSubject } from '../../permissions/judge.ts';
import type { Policy } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';
import { unauthorizedField } from '../../platform/errors.ts';

export interface ShieldContext {
  caller: CallerContext;
  policy: Policy;
}

const FEDERATION_FIELDS = new Set(['_entities', '_service']);

/** The rule tree is built once per schema from the policy's subject types; decisions read the policy in the request's context. */
export function policyShield(schema: GraphQLSchema, policy: Policy) {
  const queryType = schema.getQueryType()?.name;
  const mutationType = schema.getMutationType()?.name;
  const refuse = (caller: CallerContext, field: string, decision: Decision) =>
    decision.allow ? true : unauthorizedField(caller.purpose, field, decision.reason);

  /** Root fields: whose data they return (the subject, policy `roots`), then the field itself. */
  const rootRule = (field: string) =>
    rule({ cache: 'no_cache' })((_parent, args: Record<string, unknown>, { policy: current, caller }: ShieldContext) => {
      let decision = judgeRootSubject(current, caller, field, args);
      if (decision.allow) decision = judgeField(current, caller, field);
      return refuse(caller, field, decision);
    });

  const mutationRule = (fieldName: string) =>
    rule({ cache: 'no_cache' })((_parent, _args, { policy: current, caller }: ShieldContext) =>
      refuse(caller, `${mutationType}.${fieldName}`, judgeMutation(current, caller, fieldName)));

  /** A subject's field: judged for the person this record is about, so per record. */
  const subjectRule = (field: string, key: string) =>
    rule({ cache: 'no_cache' })((parent: Record<string, unknown>, _args, { policy: current, caller }: ShieldContext) => {
      const id = parent[key];
      return refuse(caller, field, judgeField(current, caller, field, { id: typeof id === 'string' ? id : undefined }));
    });

  /**
   * Any other field (an income's amount, an enrolment's status) is judged by
   * purpose and assurance alone — its subject was judged at the subject's
   * field above it — so one evaluation per request serves every record
   * ('contextual' caches by rule name within the request's context).
   */
  const staticRule = (field: string) =>
    rule(`static:${field}`, { cache: 'contextual' })((_parent, _args, { policy: current, caller }: ShieldContext) =>
      refuse(caller, field, judgeField(current, caller, field)));

  type FieldRule = typeof allow | ReturnType<typeof staticRule>;
  const tree: Record<string, Record<string, FieldRule>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
    tree[type.name] = {};
    const key = Object.hasOwn(policy.subjectTypes, type.name) ? policy.subjectTypes[type.name] : undefined;
    for (const fieldName of Object.keys(type.getFields())) {
      const field = `${type.name}.${fieldName}`;
      tree[type.name]![fieldName] =
        type.name === queryType ? (FEDERATION_FIELDS.has(fieldName) ? allow : rootRule(field))
        : type.name === mutationType ? mutationRule(fieldName)
        : key !== undefined ? subjectRule(field, key)
        : staticRule(field);
    }
  }
  if (schema.getType('_Service')) tree._Service = { sdl: allow };
  return shield(tree, { fallbackRule: deny, allowExternalErrors: true, debug: false });
}
