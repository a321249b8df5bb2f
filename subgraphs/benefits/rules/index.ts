/**
 * The benefits agency's proactive rules, and the one place their terms come
 * from: grant kind, objection period, legal source and law. The
 * `proactive-eligibility` purpose grants exactly the union of their `needs`
 * plus the engine's paging fields (a test compares the two lists).
 */
import { birthGrant } from './birth-grant.ts';
import { childAllowance } from './child-allowance.ts';
import { energySocialTariff } from './energy-social-tariff.ts';
import { memberFacts } from './household.ts';
import { largeFamilyAllowance } from './large-family-allowance.ts';
import { lowIncomeChildSupplement } from './low-income-child-supplement.ts';
import { oldAgePension } from './old-age-pension.ts';
import { entryOn, loadParameters, parametersPath, type ParameterEntry } from './parameters.ts';
import { singleParentAllowance } from './single-parent-allowance.ts';
import type { CitizenFacts, Finding, Law, Rule, RunSoFar } from './types.ts';

// Each rule has its own parameter shape; the registry only needs the common surface.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous registry, each rule checked against its own Params
type AnyRule = Rule<any>;

export const RULES: readonly AnyRule[] = [
  birthGrant,
  childAllowance,
  largeFamilyAllowance,
  singleParentAllowance,
  lowIncomeChildSupplement,
  oldAgePension,
  energySocialTariff,
];

export const ruleFor = (programme: string) => RULES.find((r) => r.programme === programme);

/** Every field coordinate any rule reads. */
export function ruleNeeds(): string[] {
  return [...new Set(RULES.flatMap((r) => r.needs))].sort();
}

/** The parameters of every rule, checked against its schema: start-up calls this and stops on a typo. */
export const checkRuleParameters = () => loadParameters(RULES);

/** The parameter entry of a programme valid on `today`, its values checked by the rule's schema. */
export function parametersFor(programme: string, today: string): ParameterEntry {
  return entryOn(checkRuleParameters(), programme, today);
}

/** What the agency says about a programme's findings besides the facts: one place for all of it. */
export interface Terms {
  grant: 'offer' | 'automatic';
  /** Days an automatic grant may be objected to. */
  objectionDays: number | null;
  /** Where the rule and its figures come from, valid from when. */
  source: string;
  rule: string;
  law: Law;
}

export function termsOf(programme: string, today: string): Terms | undefined {
  const rule = ruleFor(programme);
  if (!rule) return undefined;
  const entry = parametersFor(programme, today);
  return {
    grant: rule.grant,
    objectionDays: rule.grant === 'automatic' ? (entry.values.objectionDays as number) : null,
    source: `${entry.source} (valid from ${entry.validFrom})`,
    rule: `benefits/rules/${programme}`,
    law: rule.law,
  };
}

/** The rules in dependency order on `today` (a rule after the programmes it reads grants of); a cycle is a fault. */
export function rulesInOrder(today: string): AnyRule[] {
  const order: AnyRule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (rule: AnyRule, path: string[]) => {
    if (state.get(rule.programme) === 'done') return;
    if (state.get(rule.programme) === 'visiting') throw new Error(`the rules depend on each other in a cycle: ${[...path, rule.programme].join(' -> ')}`);
    state.set(rule.programme, 'visiting');
    for (const code of rule.after?.(parametersFor(rule.programme, today).values) ?? []) {
      const dependency = ruleFor(code);
      if (dependency) visit(dependency, [...path, rule.programme]);
    }
    state.set(rule.programme, 'done');
    order.push(rule);
  };
  for (const rule of RULES) visit(rule, []);
  return order;
}

export interface RuleFinding extends Finding, Omit<Terms, 'rule' | 'law'> {}

const NONE: ReadonlySet<string> = new Set();

/** What evaluating anyone on one day starts from: the rules in order, the programmes others read, each one's values and terms. */
interface Day {
  order: readonly AnyRule[];
  read: ReadonlySet<string>;
  values: ReadonlyMap<string, unknown>;
  terms: ReadonlyMap<string, Terms>;
}

// A batch evaluates a million people on one day: the day's plan is made once, not per person (parameter file and day).
const days = new Map<string, Day>();
function dayOf(today: string): Day {
  const key = `${parametersPath()}\u0000${today}`;
  let day = days.get(key);
  if (!day) {
    const order = rulesInOrder(today);
    day = {
      order,
      read: new Set(order.flatMap((r) => r.after?.(parametersFor(r.programme, today).values) ?? [])),
      values: new Map(order.map((r) => [r.programme, parametersFor(r.programme, today).values])),
      terms: new Map(order.map((r) => [r.programme, termsOf(r.programme, today)!])),
    };
    if (days.size >= 8) days.clear();
    days.set(key, day);
  }
  return day;
}

/**
 * All findings for one citizen on one day. Rules run in dependency order; a
 * programme another rule reads is evaluated for every member of the household,
 * so what it grants by law in this run counts at once (the energy tariff's
 * listed benefits), not only in a later run.
 */
export function evaluateCitizen(facts: CitizenFacts, today: string): RuleFinding[] {
  const { order, read, values, terms: termsByProgramme } = dayOf(today);
  const granted = new Map<string, Set<string>>();
  const run: RunSoFar = { grantedTo: (id) => granted.get(id) ?? NONE };
  const findings: RuleFinding[] = [];
  for (const rule of order) {
    const params = values.get(rule.programme);
    const terms = termsByProgramme.get(rule.programme)!;
    const own = rule.evaluate(facts, params, today, run);
    for (const finding of own) findings.push({ ...finding, grant: terms.grant, objectionDays: terms.objectionDays, source: terms.source });
    if (!read.has(rule.programme) || rule.grant !== 'automatic') continue;
    for (const member of [facts.id, ...facts.household.map((m) => m.id)]) {
      const theirs = member === facts.id ? own : rule.evaluate(memberFacts(facts, member)!, params, today, run);
      if (theirs.length) granted.set(member, new Set([...(granted.get(member) ?? []), rule.programme]));
    }
  }
  return findings;
}

export type { CitizenFacts, Finding, Rule } from './types.ts';
