/**
 * Defence in depth: every subgraph enforces the same policy the gateway does,
 * as graphql-shield rules for every field of its schema, with deny as the
 * fallback. Each rule only calls the one judge (permissions/judge.ts), as the
 * gateway does, so a subgraph reached without the gateway serves exactly what
 * the signed context's purpose allows.
 *
 * Decided once per request and question, not once per resolver call.
 * graphql-shield's middleware is asynchronous: every field it guards becomes a
 * promise, and on a page of 1,000 citizens that was most of a subgraph's CPU.
 * Within one request a field's decision depends only on its question — the
 * field, and for a subject's field how the record's person relates to the
 * request — since the caller and the policy are fixed. So each rule records
 * the allows it makes (decision-memo.ts), and a field whose question this
 * request has already allowed is resolved directly, synchronously. The first
 * asking of every question, every refusal, and every field without a question
 * of its own (root fields, mutations, federation's fields, fields no rule
 * names, which fall to deny) go through graphql-shield as before.
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { Decision, Relation } from '../../permissions/decide.ts';
import { judgeField, judgeMutation, judgeRootSubject, relationToSubject } from '../../permissions/judge.ts';
import type { Policy } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';
import { unauthorizedField } from '../../platform/errors.ts';
import { allowedSoFar, rememberAllowed, type DecidingContext } from './decision-memo.ts';

export type ShieldContext = DecidingContext;

const FEDERATION_FIELDS = new Set(['_entities', '_service']);
const RELATIONS: readonly Relation[] = ['self', 'represented', 'consented', 'other'];

type Parent = Record<string, unknown>;
/** The question a field's decision answers, for one record, in the memo's words. */
type QuestionOf = (parent: Parent, caller: CallerContext) => string;

/** The person a subject's record is about, as its key field names them (not a string: nobody known, judged as someone else). */
const subjectOf = (parent: Parent, key: string) => {
  const id = parent[key];
  return { id: typeof id === 'string' ? id : undefined };
};

/** The rule tree, and for the fields whose decision a request may reuse, the question each decision answers. */
function policyRules(schema: GraphQLSchema, policy: Policy) {
  const queryType = schema.getQueryType()?.name;
  const mutationType = schema.getMutationType()?.name;
  const refuse = (caller: CallerContext, field: string, decision: Decision) =>
    decision.allow ? true : unauthorizedField(caller.purpose, field, decision.reason);

  /** Root fields: whose data they return (the subject, policy `roots`), then the field itself. Asked once per call: arguments differ. */
  const rootRule = (field: string) =>
    rule({ cache: 'no_cache' })((_parent, args: Record<string, unknown>, { policy: current, caller }: ShieldContext) => {
      let decision = judgeRootSubject(current, caller, field, args);
      if (decision.allow) decision = judgeField(current, caller, field);
      return refuse(caller, field, decision);
    });

  const mutationRule = (fieldName: string) =>
    rule({ cache: 'no_cache' })((_parent, _args, { policy: current, caller }: ShieldContext) =>
      refuse(caller, `${mutationType}.${fieldName}`, judgeMutation(current, caller, fieldName)));

  /** A subject's field: judged for the person this record is about, so its question is the field and that person's relation. */
  const subjectRule = (field: string, key: string) => {
    const questions = Object.fromEntries(RELATIONS.map((relation) => [relation, `${field}\u0000${relation}`])) as Record<Relation, string>;
    const questionOf: QuestionOf = (parent, caller) => questions[relationToSubject(caller, subjectOf(parent, key))];
    const guard = rule({ cache: 'no_cache' })((parent: Parent, _args, context: ShieldContext) => {
      const decision = judgeField(context.policy, context.caller, field, subjectOf(parent, key));
      if (decision.allow) rememberAllowed(context, questionOf(parent, context.caller));
      return refuse(context.caller, field, decision);
    });
    return { guard, questionOf };
  };

  /**
   * Any other field (an income's amount, an enrolment's status) is judged by
   * purpose and assurance alone — its subject was judged at the subject's
   * field above it — so its question is the field ('contextual' also caches
   * by rule name within the request's context).
   */
  const staticRule = (field: string) => {
    const questionOf: QuestionOf = () => field;
    const guard = rule(`static:${field}`, { cache: 'contextual' })((_parent, _args, context: ShieldContext) => {
      const decision = judgeField(context.policy, context.caller, field);
      if (decision.allow) rememberAllowed(context, field);
      return refuse(context.caller, field, decision);
    });
    return { guard, questionOf };
  };

  type FieldRule = typeof allow | ReturnType<typeof rootRule>;
  const tree: Record<string, Record<string, FieldRule>> = {};
  const questions = new Map<string, QuestionOf>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
    tree[type.name] = {};
    const key = Object.hasOwn(policy.subjectTypes, type.name) ? policy.subjectTypes[type.name] : undefined;
    for (const fieldName of Object.keys(type.getFields())) {
      const field = `${type.name}.${fieldName}`;
      if (type.name === queryType) tree[type.name]![fieldName] = FEDERATION_FIELDS.has(fieldName) ? allow : rootRule(field);
      else if (type.name === mutationType) tree[type.name]![fieldName] = mutationRule(fieldName);
      else {
        const { guard, questionOf } = key !== undefined ? subjectRule(field, key) : staticRule(field);
        tree[type.name]![fieldName] = guard;
        questions.set(field, questionOf);
      }
    }
  }
  if (schema.getType('_Service')) tree._Service = { sdl: allow };
  return { tree, questions };
}

/** The shield as graphql-middleware middleware (graphql-shield's own generator, default deny). */
export function policyShield(schema: GraphQLSchema, policy: Policy) {
  return shield(policyRules(schema, policy).tree, { fallbackRule: deny, allowExternalErrors: true, debug: false });
}

/** The schema under the policy: graphql-shield on every field, and a request's repeated questions answered from its own allows. */
export function shieldSchema(schema: GraphQLSchema, policy: Policy): GraphQLSchema {
  const { tree, questions } = policyRules(schema, policy);
  // The resolvers as they are before the shield wraps them (graphql-middleware wraps fields without one around the default).
  const unguarded = new Map<string, GraphQLFieldResolver<unknown, unknown>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) unguarded.set(`${type.name}.${field.name}`, field.resolve ?? defaultFieldResolver);
  }
  const shielded = applyMiddleware(schema, shield(tree, { fallbackRule: deny, allowExternalErrors: true, debug: false }));
  // In place on the shielded copy, which is ours alone: the shield's wrapper stays the path for anything not yet allowed.
  for (const type of Object.values(shielded.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const questionOf = questions.get(coordinate);
      const direct = unguarded.get(coordinate);
      const guarded = field.resolve;
      if (!questionOf || !direct || !guarded) continue;
      field.resolve = (parent, args, context, info) => {
        const allowed = allowedSoFar(context);
        return allowed?.has(questionOf(parent as Parent, (context as ShieldContext).caller))
          ? direct(parent, args, context, info)
          : guarded(parent, args, context, info);
      };
    }
  }
  return shielded;
}
