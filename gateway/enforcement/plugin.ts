/**
 * Wires purpose enforcement into Apollo Server's request pipeline:
 * didResolveOperation (after validation, before planning) filters the
 * operation; willSendResponse applies the removals and the per-subject check,
 * then (when an auditor is given) awaits the audit record of what is left
 * before the response may go: enforcement knows exactly which fields of whom
 * survive filtering, so the record is built from the same walk.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { GraphQLError, getOperationAST, type GraphQLFormattedError } from 'graphql';
import { decide, decideMutation, type Decision, type Relation } from '../../permissions/decide.ts';
import type { Policy } from '../../permissions/model.ts';
import { decideRootSubject, relationOf, type RootSubject } from '../../permissions/subjects.ts';
import { filterOperation, ReservedAliasError, type FieldJudge, type Removal } from './filter-operation.ts';
import { applyRemovals, dropDuplicateDenials, enforceSubjects, removalError, type SubjectJudge } from './filter-response.ts';
import type { GatewayContext } from '../context.ts';
import { auditUnavailableError, returnedFields, type RequestAuditor } from '../audit/request-audit.ts';

export interface EnforcementOptions {
  policy: Policy;
  rootSubjects: Record<string, RootSubject>;
  /** Records every data-bearing or refused response before it is released. */
  auditor?: RequestAuditor;
}

interface Enforced {
  removals: Removal[];
}

function fieldJudge(policy: Policy, ctx: GatewayContext, rootSubjects: Record<string, RootSubject>, queryType: string, mutationType: string | undefined): FieldJudge {
  const { purpose, acr, scope } = ctx.caller;
  return (parentType, fieldName, args) => {
    if (parentType === mutationType) return decideMutation(policy, purpose, fieldName, acr);
    if (parentType === queryType) {
      const subject = decideRootSubject(policy, purpose, scope, rootSubjects[fieldName] ?? 'none', args);
      if (!subject.allow) return subject;
    }
    return decide(policy, { purpose, field: `${parentType}.${fieldName}`, acr });
  };
}

/**
 * The per-subject decision for one request. A page of records asks the same few (field, relation) questions
 * over and over: each is answered once per request (relations are self, represented or other).
 */
function subjectJudge(policy: Policy, caller: GatewayContext['caller']): SubjectJudge {
  const { purpose, acr, scope } = caller;
  const answered = new Map<Relation, Map<string, Decision>>();
  return (field, subject) => {
    const relation = relationOf(scope, subject);
    let byField = answered.get(relation);
    if (!byField) answered.set(relation, (byField = new Map()));
    let decision = byField.get(field);
    if (!decision) byField.set(field, (decision = decide(policy, { purpose, field, relation, acr })));
    return decision;
  };
}

export function enforcementPlugin({ policy, rootSubjects, auditor }: EnforcementOptions): ApolloServerPlugin<GatewayContext> {
  const enforced = new WeakMap<GatewayContext, Enforced>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc: GraphQLRequestContextDidResolveOperation<GatewayContext>) {
          const ctx = rc.contextValue;
          const schema = rc.schema;
          if (!rc.operation) return;
          const judge = fieldJudge(policy, ctx, rootSubjects, schema.getQueryType()!.name, schema.getMutationType()?.name);
          let filtered;
          try {
            filtered = filterOperation(schema, rc.document, rc.operation, rc.request.variables ?? {}, judge);
          } catch (error) {
            if (error instanceof ReservedAliasError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
            throw error;
          }
          enforced.set(ctx, { removals: filtered.removals });
          // The planner caches plans by queryHash: a purpose-filtered document must never share a plan with another.
          const signature = filtered.removals.map((r) => r.path.join('.')).join('|');
          (rc as { queryHash: string }).queryHash = createHash('sha256').update(`${rc.queryHash}\u0000cg\u0000${signature}`).digest('hex');
          (rc as { document: typeof rc.document }).document = filtered.document;
          (rc as { operation: typeof rc.operation }).operation = getOperationAST(filtered.document, rc.request.operationName)!;
        },
        async responseForOperation(rc) {
          const removals = enforced.get(rc.contextValue)?.removals ?? [];
          if (!rc.contextValue.strict || removals.length === 0) return null;
          return {
            http: { status: 403, headers: rc.response.http.headers },
            body: { kind: 'single', singleResult: { errors: removals.map((r) => removalError(rc.contextValue.caller.purpose, r)) } },
          };
        },
        async willSendResponse(rc) {
          const ctx = rc.contextValue;
          const state = enforced.get(ctx);
          const body = rc.response.body;
          // The gateway executes no incremental delivery (@defer): every response here is single.
          if (body.kind !== 'single') return;
          const result = body.singleResult;
          const returned = auditor ? returnedFields() : undefined;
          const data = result.data as Parameters<typeof applyRemovals>[0] | null | undefined;
          if (state && rc.operation && !(ctx.strict && state.removals.length) && data) {
            const { purpose } = ctx.caller;
            const added: GraphQLFormattedError[] = applyRemovals(data, state.removals, purpose);
            added.push(...enforceSubjects(rc.schema, rc.document!, rc.operation, rc.request.variables ?? {}, data, subjectJudge(policy, ctx.caller), purpose, returned?.collect));
            if (added.length) result.errors = [...added, ...dropDuplicateDenials(result.errors ?? [], added)];
          }
          if (!auditor) return;
          try {
            await auditor.record({ caller: ctx.caller, operationName: rc.operationName ?? rc.request.operationName, source: rc.source, returned, errors: result.errors });
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
