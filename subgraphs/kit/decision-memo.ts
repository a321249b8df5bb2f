/**
 * The allow decisions the shield's rules made during one request, by question
 * (a field, and for a subject's field the relation of the record's person to
 * the request). Within a request the caller and the policy are fixed, so a
 * question allowed once is allowed again: the shield answers a repeat without
 * going through graphql-shield's promises (shield.ts says how).
 *
 * Scope: one request. The memo hangs off the request's context object (a
 * WeakMap, so it goes with it) and holds only while that context carries the
 * same caller and policy objects it was made for: nothing here is shared
 * between requests or callers. Only allows are kept; a refusal is asked again
 * every time, through graphql-shield.
 */
import type { Policy } from '../../permissions/model.ts';
import type { CallerContext } from '../../platform/context-token.ts';

export interface DecidingContext {
  caller: CallerContext;
  policy: Policy;
}

interface Memo {
  caller: CallerContext;
  policy: Policy;
  allowed: Set<string>;
}

const memos = new WeakMap<object, Memo>();

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

export function rememberAllowed(context: DecidingContext, question: string): void {
  let memo = memos.get(context);
  if (!memo || memo.caller !== context.caller || memo.policy !== context.policy) {
    memos.set(context, (memo = { caller: context.caller, policy: context.policy, allowed: new Set() }));
  }
  memo.allowed.add(question);
}

/** This request's allowed questions, or undefined when the context has none (or no longer has the caller and policy they were decided for). */
export function allowedSoFar(context: unknown): ReadonlySet<string> | undefined {
  if (!isObject(context)) return undefined;
  const memo = memos.get(context);
  if (!memo) return undefined;
  const { caller, policy } = context as Partial<DecidingContext>;
  return memo.caller === caller && memo.policy === policy ? memo.allowed : undefined;
}
