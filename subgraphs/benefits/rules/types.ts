/**
 * What a proactive rule sees and says. Rules are pure: facts + parameters +
 * today in, findings out. Each declares the graph fields it reads (`needs`),
 * and the `proactive-eligibility` purpose grants exactly their union.
 */

export type AgencyOfFact = 'identity' | 'tax' | 'family' | 'benefits';

export interface EnrolmentFact {
  programme: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'ENDED';
  since: string;
  monthlyAmount: number | null;
}

export interface ChildFact {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  /** The child's parents as the birth record lists them (mother first). */
  parents: string[];
}

export interface HouseholdMemberFact {
  id: string;
  dateOfBirth: string | null;
  dateOfDeath: string | null;
  annualIncome: number | null;
  enrolments: EnrolmentFact[];
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
}

export interface Rule<Params = Record<string, unknown>> {
  programme: string;
  /** offer: proposed, the person decides. automatic: granted by law, the person may object. */
  grant: 'offer' | 'automatic';
  /** Field coordinates (Type.field) of the graph the rule reads. */
  needs: readonly string[];
  evaluate(facts: CitizenFacts, params: Params, today: string): Finding[];
}
