/**
 * The benefits agency's proactive rules. The offers engine runs them over
 * facts it fetched through the gateway; the `proactive-eligibility` purpose
 * grants exactly the union of their `needs` plus the engine's paging fields
 * (a test compares the two lists).
 */
import { birthGrant } from './birth-grant.ts';
import { childAllowance } from './child-allowance.ts';
import { energySocialTariff } from './energy-social-tariff.ts';
import { largeFamilyAllowance } from './large-family-allowance.ts';
import { lowIncomeChildSupplement } from './low-income-child-supplement.ts';
import { oldAgePension } from './old-age-pension.ts';
import { parametersFor } from './parameters.ts';
import { singleParentAllowance } from './single-parent-allowance.ts';
import type { CitizenFacts, Finding, Rule } from './types.ts';

// Each rule has its own parameter shape; the registry only needs the common surface.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous registry, each rule checked against its own Params
export const RULES: readonly Rule<any>[] = [
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

export interface RuleFinding extends Finding {
  grant: 'offer' | 'automatic';
  /** Days an automatic grant may be objected to. */
  objectionDays: number | null;
  /** Where the rule and its figures come from, valid from when. */
  source: string;
}

/** All findings for one citizen on one day. */
export function evaluateCitizen(facts: CitizenFacts, today: string): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const rule of RULES) {
    const params = parametersFor(rule.programme, today);
    for (const finding of rule.evaluate(facts, params.values, today)) {
      findings.push({
        ...finding,
        grant: rule.grant,
        objectionDays: rule.grant === 'automatic' ? Number(params.values.objectionDays ?? 30) : null,
        source: `${params.source} (valid from ${params.validFrom})`,
      });
    }
  }
  return findings;
}

export type { CitizenFacts, Finding, Rule } from './types.ts';
