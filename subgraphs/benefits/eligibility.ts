/**
 * `Citizen.eligibility`: the board runs its own rules (rules/) for one person
 * over the facts other agencies keep, which the gateway handed over
 * (`@requires`, judged and audited there), and over its own register
 * (enrolments, birth grants), read here in batches. It answers with the
 * findings sealed (findings-seal.ts): the engine records them unchanged.
 */
import { GraphQLError } from 'graphql';
import type { SubgraphContext } from '../kit/agency.ts';
import { today } from '../../platform/clock.ts';
import type { BenefitsLoaders, EnrolmentFactRow } from './loaders.ts';
import { sealOf, type SealedFinding } from './findings-seal.ts';
import { evaluateCitizen } from './rules/index.ts';
import type { CitizenFacts, EnrolmentFact } from './rules/types.ts';

type Context = SubgraphContext<BenefitsLoaders>;

/** The facts the gateway hands over, as the `@requires` of `Citizen.eligibility` selects them. */
export interface GivenFacts {
  id: string;
  dateOfBirth?: string | null;
  dateOfDeath?: string | null;
  annualIncome?: number | null;
  insuredYears?: number | null;
  parents?: { id: string }[] | null;
  children?: { id: string; dateOfBirth: string | null; dateOfDeath: string | null; parents: { id: string }[] | null; inEducation: boolean | null }[] | null;
  householdMembers?: { id: string; dateOfBirth: string | null; dateOfDeath: string | null; annualIncome: number | null; parents: { id: string }[] | null }[] | null;
}

const has = (object: object | null | undefined, keys: readonly string[]) => object != null && keys.every((key) => (object as Record<string, unknown>)[key] !== undefined);
const PERSON = ['dateOfBirth', 'dateOfDeath', 'annualIncome', 'insuredYears', 'parents', 'children', 'householdMembers'] as const;
const CHILD = ['id', 'dateOfBirth', 'dateOfDeath', 'parents', 'inEducation'] as const;
const MEMBER = ['id', 'dateOfBirth', 'dateOfDeath', 'annualIncome', 'parents'] as const;

/**
 * Every fact the `@requires` selects is there, down to each child and household member (null is a fact: "none on
 * record"; absent is not). A representation with its key alone (a fact refused at hand-over), or a gateway that
 * fetched part of a nested requirement, must not read as "no income" or "not in education".
 */
export function givenAll(given: GivenFacts): boolean {
  return has(given, PERSON) && (given.children ?? []).every((c) => has(c, CHILD)) && (given.householdMembers ?? []).every((m) => has(m, MEMBER));
}

const ids = (people: { id: string }[] | null | undefined) => (people ?? []).map((p) => p.id);
const enrolments = (rows: readonly EnrolmentFactRow[]): EnrolmentFact[] =>
  rows.map((r) => ({ programme: r.programme_code, status: r.status.toUpperCase() as EnrolmentFact['status'], monthlyAmount: r.monthly_amount }));

/** The rules' view of the person: the facts handed over, and the board's own register for them and their household. */
export async function citizenFacts(given: GivenFacts, loaders: BenefitsLoaders): Promise<CitizenFacts> {
  const children = given.children ?? [];
  const household = given.householdMembers ?? [];
  const [own, theirs, grants] = await Promise.all([
    loaders.enrolmentFactsOf.load(given.id),
    Promise.all(household.map((m) => loaders.enrolmentFactsOf.load(m.id))),
    Promise.all(children.map((c) => loaders.birthGrantFor.load(c.id))),
  ]);
  return {
    id: given.id,
    dateOfBirth: given.dateOfBirth ?? null,
    dateOfDeath: given.dateOfDeath ?? null,
    annualIncome: given.annualIncome ?? null,
    insuredYears: given.insuredYears ?? null,
    enrolments: enrolments(own),
    parents: ids(given.parents),
    children: children.map((c, i) => ({
      id: c.id, dateOfBirth: c.dateOfBirth, dateOfDeath: c.dateOfDeath, parents: ids(c.parents), birthGrantGranted: grants[i] != null,
      // Unknown to the education register: not in education.
      inEducation: c.inEducation === true,
    })),
    household: household.map((m, i) => ({ id: m.id, dateOfBirth: m.dateOfBirth, dateOfDeath: m.dateOfDeath, annualIncome: m.annualIncome, enrolments: enrolments(theirs[i]!), parents: ids(m.parents) })),
  };
}

export async function eligibility(person: { given?: GivenFacts }, _: unknown, ctx: Context) {
  const given = person.given;
  if (!given || !givenAll(given)) {
    // Never decide on part of the facts: a missing income would read as no income.
    throw new GraphQLError('the facts this rests on were not handed over, so nothing was decided', { extensions: { code: 'FACTS_MISSING' } });
  }
  const on = today();
  const [facts, seal] = await Promise.all([citizenFacts(given, ctx.loaders), sealOf(ctx.db)]);
  const findings: SealedFinding[] = evaluateCitizen(facts, on).map((f) => ({
    programme: f.programme,
    occasion: f.occasion,
    amount: f.amount,
    facts: f.facts,
    ...(f.child ? { child: f.child, sharedWith: f.sharedWith ?? [] } : {}),
  }));
  return { findings: findings.length, sealed: seal.seal(given.id, on, findings) };
}
