/**
 * What a proactive rule sees and says. Rules are pure: facts + parameters +
 * today in, findings out. Each declares the graph fields it reads (`needs`),
 * and the `proactive-eligibility` purpose grants exactly their union.
 */

import type { z } from 'zod';

export type AgencyOfFact = 'identity' | 'tax' | 'family' | 'benefits' | 'education';

export interface EnrolmentFact {
  programme: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'ENDED';
  monthlyAmount: number | null;
}

export interface ChildFact {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  /** The child's parents as the birth record lists them (the birth mother first). */
  parents: string[];
  /** A birth grant naming this child was granted (to either parent); null when not known. */
  birthGrantGranted: boolean | null;
  /** In basic, general secondary or vocational education today (education register); null when not known. */
  inEducation?: boolean | null;
}

export interface HouseholdMemberFact {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  annualIncome: number | null;
  enrolments: EnrolmentFact[];
  /** The member's parents on their birth record (birth mother first): who in the household raises whom. */
  parents: string[];
}

/** One citizen as the engine fetched them through the gateway. */
export interface CitizenFacts {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  /** Taxable income of last calendar year. */
  annualIncome: number | null;
  insuredYears: number | null;
  enrolments: EnrolmentFact[];
  /** The citizen's own parents on their birth record (birth mother first). */
  parents: string[];
  children: ChildFact[];
  /** The other people of the citizen's household. */
  household: HouseholdMemberFact[];
}

/** Parameters of a message: values the reader's language formats (dates, euros), personal codes the portal names. */
export type MessageParams = Record<string, string | number | boolean | string[] | number[]>;

/**
 * A fact a finding rested on: the value, or a safe summary of it ("income
 * below threshold"), and the same as a message key with parameters for the
 * person (`fact.childBorn` {child, born}): the portal words it in the reader's
 * language and names the child from the data the reader may see.
 */
export interface Fact {
  agency: AgencyOfFact;
  field: string;
  value: string;
  key?: string;
  params?: MessageParams;
}

export interface Finding {
  programme: string;
  /** What is offered (a birth, a monthly total): the same situation always gives the same occasion. */
  occasion: string;
  /** Euros (monthly for monthly programmes); null when the amount is set elsewhere (pension, tariff). */
  amount: number | null;
  facts: Fact[];
  /** The child a per-child finding is for (each birth grant names its child). */
  child?: string;
  /** Others who may see and decide the offer with the person (the child's other parents, for a birth grant). */
  sharedWith?: string[];
}

/**
 * The law a programme rests on. `country` is the country whose scheme the
 * programme models; a programme modelled on a foreign scheme says so
 * (`modelled: true`) rather than pass a foreign act off as Estonian law.
 */
export interface Law {
  country: 'EE' | 'DE' | 'PT';
  /** A catalogue key (law.familyBenefitsAct) for Estonian acts; the act's own title for a foreign one. */
  act: string;
  /** § for most acts, article for Portuguese decrees. */
  section: string;
  modelled: boolean;
}

/** What the rules found so far in this run, for rules that depend on other programmes (dependency order). */
export interface RunSoFar {
  /** Programmes granted by law (automatic findings) in this run, per person of the household. */
  grantedTo(personId: string): ReadonlySet<string>;
}

export interface Rule<Params = Record<string, unknown>> {
  programme: string;
  /** offer: proposed, the person decides. automatic: granted by law, the person may object. */
  grant: 'offer' | 'automatic';
  law: Law;
  /** The shape of the programme's entries in parameters.yaml: a typo stops start-up. */
  params: z.ZodType<Params>;
  /** Field coordinates (Type.field) of the graph the rule reads. */
  needs: readonly string[];
  /**
   * Programmes whose grants in this run this rule reads (the tariff's listed
   * benefits): they are evaluated first, for every member of the household.
   * Such programmes may read only what the household shows (see household.ts).
   */
  after?(params: Params): readonly string[];
  evaluate(facts: CitizenFacts, params: Params, today: string, run: RunSoFar): Finding[];
}
