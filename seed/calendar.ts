/**
 * Calendar arithmetic on whole UTC days. The generator works in day numbers
 * (days since 1970-01-01) because it computes millions of dates: integers are
 * cheap to compare and add, and each is formatted once through a cache.
 */

export type Day = number;

const MS_PER_DAY = 86_400_000;

export function dayOfDate(date: Date): Day {
  return Math.floor(date.getTime() / MS_PER_DAY);
}

export function dayOf(year: number, month: number, day: number): Day {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function dateOfDay(day: Day): Date {
  return new Date(day * MS_PER_DAY);
}

export function yearOf(day: Day): number {
  return dateOfDay(day).getUTCFullYear();
}

/** The same calendar date `years` later; 29 February becomes 1 March in common years, as Date.UTC rolls over. */
export function addYears(day: Day, years: number): Day {
  const date = dateOfDay(day);
  return Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()) / MS_PER_DAY;
}

/** The first day of the month after `day` (benefits start there). */
export function firstOfNextMonth(day: Day): Day {
  const date = dateOfDay(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / MS_PER_DAY;
}

/** Completed years between birth and `on`. */
export function ageOn(born: Day, on: Day): number {
  const b = dateOfDay(born);
  const o = dateOfDay(on);
  let age = o.getUTCFullYear() - b.getUTCFullYear();
  if (o.getUTCMonth() < b.getUTCMonth() || (o.getUTCMonth() === b.getUTCMonth() && o.getUTCDate() < b.getUTCDate())) age--;
  return age;
}

/** A birth date giving exactly `age` completed years on `today`, anywhere in that year of life. */
export function birthDayForAge(today: Day, age: number, daysAfterBirthday: number): Day {
  // The (age+1)th birthday is after today; step back from the age-th one.
  return addYears(today, -age) - daysAfterBirthday;
}

// Dates between 1850 and 2150 cover every date the generator makes.
const CACHE_FIRST = dayOf(1850, 1, 1);
const CACHE_LAST = dayOf(2150, 12, 31);
const formatted: (string | undefined)[] = new Array(CACHE_LAST - CACHE_FIRST + 1);

/** ISO 8601 date, YYYY-MM-DD. */
export function formatDay(day: Day): string {
  if (day >= CACHE_FIRST && day <= CACHE_LAST) {
    const slot = day - CACHE_FIRST;
    return (formatted[slot] ??= dateOfDay(day).toISOString().slice(0, 10));
  }
  return dateOfDay(day).toISOString().slice(0, 10);
}

/** Parses a strict YYYY-MM-DD into a day, or undefined when it is not a real date. */
export function parseDay(text: string): Day | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const result = dayOf(year, month, day);
  return formatDay(result) === text ? result : undefined;
}
