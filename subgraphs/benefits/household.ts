/**
 * Household: which of the parents' enrolments are paid for a given child.
 * The register records a child benefit against the parent who receives it,
 * for the family's children together, not per child; so a parent's child
 * benefit counts for a child when the child was born before it ends (and,
 * for the birth grant, when it was granted within the months after the
 * child's birth). A pure function of the rows; the resolver only calls it.
 */
import type { EnrolmentRow } from './loaders.ts';

/** Programmes paid for children (the rest, pension and the energy tariff, are a person's own). */
export const CHILD_PROGRAMMES: ReadonlySet<string> = new Set(['birth-grant', 'child-allowance', 'large-family-allowance', 'single-parent-allowance', 'low-income-child-supplement']);

/** A birth grant is decided within weeks of the birth; a quarter of a year leaves room for late decisions. */
const BIRTH_GRANT_WINDOW_DAYS = 92;

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

export function paidForChild(enrolment: Pick<EnrolmentRow, 'programme_code' | 'since' | 'until'>, childBornOn: string): boolean {
  if (!CHILD_PROGRAMMES.has(enrolment.programme_code)) return false;
  const born = dayNumber(childBornOn);
  if (enrolment.programme_code === 'birth-grant') {
    const granted = dayNumber(enrolment.since);
    return granted >= born && granted - born <= BIRTH_GRANT_WINDOW_DAYS;
  }
  return enrolment.until === null || dayNumber(enrolment.until) >= born;
}
