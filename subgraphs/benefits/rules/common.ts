/** Small calendar and household helpers the rules share (pure). */
import type { CitizenFacts, ChildFact, EnrolmentFact, Fact } from './types.ts';

/** Whole years between an ISO birth date and an ISO day. */
export function ageOn(dateOfBirth: string, today: string): number {
  // ISO days compare as text: month and day after the year, both zero-padded (asked many times per person).
  const birthdayToCome = today.slice(5) < dateOfBirth.slice(5);
  return Number(today.slice(0, 4)) - Number(dateOfBirth.slice(0, 4)) - (birthdayToCome ? 1 : 0);
}

export function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // 29 February + n years falls on 1 March in common years, as in the population register.
  const date = new Date(Date.UTC(y + years, m - 1, d));
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
}

export const isAlive = (person: { dateOfDeath: string | null }) => person.dateOfDeath === null;

/** What the person receives from a programme now (active or suspended enrolments), per month. */
export function receiving(enrolments: readonly EnrolmentFact[], programme: string): number | null {
  const current = enrolments.filter((e) => e.programme === programme && e.status !== 'ENDED');
  if (current.length === 0) return null;
  return current.reduce((sum, e) => sum + (e.monthlyAmount ?? 0), 0);
}

/**
 * The children this citizen claims child benefits for: living children who
 * live with them, for whom they are the first parent on the birth record
 * (the mother by default) living with the child. One claimant per child, so
 * two parents never both get an offer for the same child.
 */
export function childrenInCare(facts: CitizenFacts): ChildFact[] {
  const household = new Set(facts.household.map((m) => m.id));
  return facts.children
    .filter((child) => isAlive(child) && child.dateOfBirth !== null && household.has(child.id))
    .filter((child) => child.parents.find((p) => p === facts.id || household.has(p)) === facts.id)
    .sort((a, b) => a.dateOfBirth!.localeCompare(b.dateOfBirth!) || a.id.localeCompare(b.id));
}

/** Taxable income last year of everyone living with the citizen, the citizen included (pensions are taxable income). */
export function householdIncome(facts: CitizenFacts): number {
  return (facts.annualIncome ?? 0) + facts.household.reduce((sum, m) => sum + (m.annualIncome ?? 0), 0);
}

export function under(children: readonly ChildFact[], years: number, today: string): ChildFact[] {
  return children.filter((c) => c.dateOfBirth! <= today && ageOn(c.dateOfBirth!, today) < years);
}

export const euros = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2)} €`;

export function childrenFact(children: readonly ChildFact[], today: string, what: string): Fact[] {
  const ages = children.map((c) => ageOn(c.dateOfBirth!, today)).join(', ');
  const maxAge = Number(/\d+/.exec(what)?.[0] ?? 0);
  return [
    {
      agency: 'family',
      field: 'Citizen.children',
      value: `${children.length} ${what} (you are the parent they live with)`,
      key: 'fact.childrenInCare',
      params: { count: children.length, maxAge, children: children.map((c) => c.id) },
    },
    { agency: 'identity', field: 'Citizen.dateOfBirth', value: `children's ages: ${ages}` },
  ];
}

export function receivingFact(current: number | null, programme: string): Fact {
  return {
    agency: 'benefits',
    field: 'Citizen.benefitEnrollments',
    value: current === null ? `not receiving ${programme}` : `receiving ${euros(current)} a month from ${programme}`,
    ...(current === null ? { key: 'fact.notReceiving', params: { programme } } : { key: 'fact.receiving', params: { programme, amount: current } }),
  };
}

/** A monthly top-up finding: offered when the entitlement exceeds what is received now. */
export function monthly(programme: string, entitled: number, current: number | null, facts: Fact[]) {
  if (entitled <= 0 || (current !== null && current >= entitled)) return [];
  return [{ programme, occasion: `monthly:${entitled.toFixed(2)}`, amount: entitled, facts: [...facts, receivingFact(current, programme)] }];
}

/** Coordinates most rules read. */
export const BASE_NEEDS = ['Citizen.id', 'Citizen.dateOfDeath', 'Citizen.benefitEnrollments', 'Enrollment.programme', 'Enrollment.status', 'Enrollment.monthlyAmount', 'Programme.code'] as const;
export const CHILD_NEEDS = ['Citizen.children', 'Citizen.parents', 'Citizen.householdMembers', 'Citizen.dateOfBirth'] as const;

export type { EnrolmentFact };
