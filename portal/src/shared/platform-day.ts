/**
 * Days as the platform counts them: in Tallinn (platform/clock.ts), whatever
 * zone the browser is set to. The console shows every time in Tallinn, so a
 * day typed into it is a Tallinn day too: an officer abroad, or a browser
 * left on UTC, between 22:00 and midnight UTC, would otherwise search another
 * day than the one the records show.
 */
export const PLATFORM_TIME_ZONE = 'Europe/Tallinn';

const wallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: PLATFORM_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** How far the platform's wall clock is ahead of UTC at `instant` (milliseconds). */
function offsetAt(instant: number): number {
  const p = Object.fromEntries(wallClock.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(instant / 1000) * 1000;
}

/** The instant (ISO 8601) at which a day (YYYY-MM-DD), moved by `plusDays`, starts in the platform's zone. */
export function dayStart(day: string, plusDays = 0): string {
  const [year, month, date] = day.split('-').map(Number);
  const wall = Date.UTC(year!, month! - 1, date! + plusDays);
  // Tallinn changes its offset at 03:00 and 04:00 local time, never near midnight: one correction is exact.
  return new Date(wall - offsetAt(wall - offsetAt(wall))).toISOString();
}
