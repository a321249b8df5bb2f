/**
 * Wires the authorization plan (plan.ts) into Apollo Server's request
 * pipeline. didResolveOperation (after validation, before planning) takes the
 * operation's plan from the cache, judges its root fields' subjects for this
 * caller, and hands the executor the document to run (planned-gateway.ts);
 * willSendResponse applies the plan to the result in one pass and then (when
 * an auditor is given) awaits the audit record of exactly what is left before
 * the response may go. The plan is kept in this request's own hooks, never in
 * a table beside them.
 */
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Decision, DenialReason, Relation } from '../../permissions/decide.ts';
import { judgeField, judgeMutation, judgeRootSubject, rootNeedsArguments, subjectTypes } from '../../permissions/judge.ts';
import type { Policy } from '../../permissions/model.ts';
import { relationOf, rootSubjectsNamed } from '../../permissions/subjects.ts';
import { applyPlan, dropDuplicateDenials, planCache, RESERVED_PREFIX, ReservedAliasError, type AuthorizationPlan, type Executable, type StaticJudge, type SubjectJudge } from './plan.ts';
import { handOver, requirementsFor } from './required-facts.ts';
import type { GatewayContext } from '../context.ts';
import { auditUnavailableError, returnedFields, type RequestAuditor, type ReturnedFields } from '../audit/request-audit.ts';
import { unauthorizedField } from '../../platform/errors.ts';

export interface EnforcementOptions {
  policy: Policy;
  /** Records every data-bearing or refused response before it is released. */
  auditor?: RequestAuditor;
}

function staticJudge(policy: Policy, caller: GatewayContext['caller']): StaticJudge {
  return {
    field: (coordinate) => judgeField(policy, caller, coordinate),
    mutation: (name) => judgeMutation(policy, caller, name),
  };
}

/**
 * The per-subject decision for one request. A page of records asks the same few (field, relation) questions
 * over and over: each is answered once per request (relations are self, represented or other).
 */
export function subjectJudge(policy: Policy, caller: GatewayContext['caller']): SubjectJudge {
  const answered = new Map<Relation, Map<string, Decision>>();
  return (field, subject) => {
    const relation = relationOf(caller.scope, subject);
    let byField = answered.get(relation);
    if (!byField) answered.set(relation, (byField = new Map()));
    let decision = byField.get(field);
    if (!decision) byField.set(field, (decision = judgeField(policy, caller, field, { id: subject })));
    return decision;
  };
}

interface Planned {
  plan: AuthorizationPlan;
  refusedRoots: ReadonlyMap<string, DenialReason>;
  executable: Executable;
  /** People a refused part of the request was about: the audit names them, so their tracker shows the attempt. */
  targeted: Set<string>;
  rootSubjects: ReadonlyMap<string, readonly string[]>;
  judge: SubjectJudge;
  /** What left the gateway, to the client or handed to a subgraph as facts: the audit record lists it. */
  returned?: ReturnedFields;
  /** Facts refused at hand-over (the representation went with its key alone). */
  handOverErrors: GraphQLFormattedError[];
}

/** Something that is not one JSON answer (incremental delivery) cannot be judged record by record: it never leaves. */
function notSingleError(): GraphQLFormattedError {
  return { message: 'Only single (non-incremental) responses are served.', extensions: { code: 'BAD_REQUEST' } };
}


const hasReservedPath = (error: GraphQLFormattedError) => error.path?.some((key) => typeof key === 'string' && key.startsWith(RESERVED_PREFIX)) === true;

export function enforcementPlugin({ policy, auditor }: EnforcementOptions): ApolloServerPlugin<GatewayContext> {
  const planFor = planCache();
  return {
    async requestDidStart() {
      let planned: Planned | undefined;
      return {
        async didResolveOperation(rc: GraphQLRequestContextDidResolveOperation<GatewayContext>) {
          const ctx = rc.contextValue;
          if (!rc.operation) return;
          const { purpose, acr } = ctx.caller;
          // Coerced (defaults applied) by the operation guards before this hook (gateway/hardening/operation-guards.ts).
          const variables = rc.request.variables ?? {};
          let plan: AuthorizationPlan;
          const requirements = requirementsFor(rc.schema);
          try {
            plan = planFor({ schema: rc.schema, document: rc.document, operation: rc.operation, variables, judge: staticJudge(policy, ctx.caller), subjectTypes: subjectTypes(policy), disguised: policy.disguised, purpose, acr, requirements: requirements.byField, reservedKeys: requirements.reservedKeys });
          } catch (error) {
            if (error instanceof ReservedAliasError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
            throw error;
          }
          const refusedRoots = new Map<string, DenialReason>();
          const targeted = new Set<string>();
          for (const root of plan.roots) {
            const coordinate = `${rc.schema.getQueryType()!.name}.${root.fieldName}`;
            const args = rootNeedsArguments(policy, coordinate) ? root.args(variables) : {};
            const decision = judgeRootSubject(policy, ctx.caller, coordinate, args);
            if (decision.allow) continue;
            refusedRoots.set(root.key, decision.reason);
            for (const named of typeof policy.roots[coordinate] === 'object' ? rootSubjectsNamed(policy, coordinate, args, undefined) : []) targeted.add(named);
          }
          // Whom each mutation writes about, as the policy declares it (roots): its records name them.
          const rootSubjects = new Map<string, readonly string[]>();
          const mutationType = rc.schema.getMutationType()?.name;
          for (const call of plan.mutations) {
            const coordinate = `${mutationType}.${call.fieldName}`;
            if (!Object.hasOwn(policy.roots, coordinate)) continue;
            const about = rootSubjectsNamed(policy, coordinate, rootNeedsArguments(policy, coordinate) ? call.args(variables) : {}, ctx.caller.scope.self);
            if (about.length) rootSubjects.set(call.key, about);
          }
          const executable = plan.executable(refusedRoots);
          const judge = subjectJudge(policy, ctx.caller);
          const returned = auditor ? returnedFields() : undefined;
          const handOverErrors: GraphQLFormattedError[] = [];
          planned = { plan, refusedRoots, executable, targeted, rootSubjects, judge, returned, handOverErrors };
          ctx.executable = executable;
          if (requirements.byField.size) {
            const seen = new Set<string>();
            ctx.handOver = (representations) =>
              handOver(representations, {
                schema: rc.schema,
                requirements,
                subjectTypes: subjectTypes(policy),
                judge,
                collect: returned?.collect,
                refused(subject, field, decision) {
                  if (subject !== undefined) targeted.add(subject);
                  if (seen.has(field)) return;
                  seen.add(field);
                  handOverErrors.push(unauthorizedField(purpose, field, decision.reason).toJSON());
                },
              });
          }
        },
        async responseForOperation(rc) {
          const removals = planned?.executable.removals ?? [];
          if (rc.contextValue.strict && removals.length > 0) {
            return {
              http: { status: 403, headers: rc.response.http.headers },
              body: { kind: 'single', singleResult: { errors: [...planned!.executable.errors] } },
            };
          }
          // A change is never made that the log does not hold: its record first, or no change at all.
          if (auditor && planned && rc.operation?.operation === 'mutation') {
            const called = [...planned.plan.tree.byType.values()].flat().filter((f) => !f.removed);
            const mutations = called.map((f) => f.coordinate);
            if (mutations.length === 0) return null;
            const about = called.map((f) => ({ mutation: f.coordinate, subjects: planned!.rootSubjects.get(f.key) ?? [] }));
            try {
              await auditor.recordIntent({ caller: rc.contextValue.caller, operationName: rc.operationName ?? rc.request.operationName, source: rc.source, mutations, about });
            } catch {
              return { http: { status: 503, headers: rc.response.http.headers }, body: { kind: 'single', singleResult: { errors: [auditUnavailableError()] } } };
            }
          }
          return null;
        },
        async willSendResponse(rc) {
          const ctx = rc.contextValue;
          if (rc.response.body.kind !== 'single') {
            rc.response.body = { kind: 'single', singleResult: { errors: [notSingleError()] } };
            rc.response.http.status = 400;
          }
          const body = rc.response.body;
          if (body.kind !== 'single') return;
          const result = body.singleResult;
          // A subgraph refusing the subject key the plan added (a purpose not granted the key field) names it in its
          // error's path: the record is refused as a whole below; the reserved key never reaches the client.
          if (result.errors?.some(hasReservedPath)) result.errors = result.errors.filter((e) => !hasReservedPath(e));
          const returned = planned?.returned ?? (auditor ? returnedFields() : undefined);
          if (planned?.handOverErrors.length) {
            // A fact refused at hand-over: the field resting on it was not decided. Strict callers get nothing.
            result.errors = [...planned.handOverErrors, ...(result.errors ?? [])];
            if (ctx.strict) {
              result.data = null;
              rc.response.http.status = 403;
            }
          }
          const data = result.data as Parameters<typeof applyPlan>[0]['data'] | null | undefined;
          if (planned && !(ctx.strict && planned.executable.removals.length) && data) {
            const { purpose } = ctx.caller;
            const added: GraphQLFormattedError[] = [
              ...planned.executable.errors,
              ...applyPlan({
                plan: planned.plan,
                refusedRoots: planned.refusedRoots,
                data,
                judge: planned.judge,
                purpose,
                collect: returned?.collect,
                refused: (subject) => planned!.targeted.add(subject),
                rootSubjects: planned.rootSubjects,
              }),
            ];
            if (added.length) result.errors = [...added, ...dropDuplicateDenials(result.errors ?? [], added)];
          }
          if (!auditor) return;
          try {
            await auditor.record({ caller: ctx.caller, operationName: rc.operationName ?? rc.request.operationName, source: rc.source, returned, errors: result.errors, targeted: planned?.targeted });
          } catch {
            // Fail closed: whatever went wrong, a response whose record is not durable carries no data.
            body.singleResult = { errors: [auditUnavailableError()] };
            rc.response.http.status = 503;
          }
        },
      };
    },
  };
}
