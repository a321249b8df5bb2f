/**
 * The one clock: what day it is for the registers. Dates in the graph (birth,
 * payment, "valid until") are civil dates in one stated time zone, Estonian
 * time by default, never the server's zone or UTC: at 00:30 in Tallinn it is
 * already tomorrow, while UTC still says today.
 */
export const TIME_ZONE = process.env.CITIZEN_GRAPH_TIME_ZONE || 'Europe/Tallinn';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

// Formatting a date in a time zone costs microseconds, and a batch asks for today per person and per field: the day
// of the last second asked is kept. Exact: a time zone's days begin on a whole second (offsets are whole minutes).
let last = { second: Number.NaN, day: '' };

/** Today (or the day of `at`) as YYYY-MM-DD in TIME_ZONE. */
export function today(at: Date = new Date()): string {
  const second = Math.floor(at.getTime() / 1000);
  if (second !== last.second) last = { second, day: dayFormat.format(at) };
  return last.day;
}

/** The calendar year of today in TIME_ZONE. */
export function currentYear(at: Date = new Date()): number {
  return Number(today(at).slice(0, 4));
}

/** Today as a Date at 00:00 UTC: the form date arithmetic (the seed, the rules) works in. */
export function todayAsUtcMidnight(at: Date = new Date()): Date {
  return new Date(`${today(at)}T00:00:00Z`);
}
