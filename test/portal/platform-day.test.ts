/**
 * The console's date range is in the platform's days (Tallinn), whatever zone the process or browser runs in:
 * between 22:00 and midnight UTC a day in UTC and a day in Tallinn are not the same day.
 */
import { describe, expect, it } from 'vitest';
import { dayStart } from '../../portal/src/shared/platform-day.ts';

describe('dayStart: the instant a Tallinn day starts', () => {
  it('in winter (UTC+2) and in summer (UTC+3)', () => {
    expect(dayStart('2026-12-05')).toBe('2026-12-04T22:00:00.000Z');
    expect(dayStart('2026-07-01')).toBe('2026-06-30T21:00:00.000Z');
  });

  it('the next day, across a month and a year', () => {
    expect(dayStart('2026-12-31', 1)).toBe('2026-12-31T22:00:00.000Z');
    expect(dayStart('2026-02-28', 1)).toBe('2026-02-28T22:00:00.000Z');
  });

  it('on the days the clocks change (last Sundays of March and October)', () => {
    expect(dayStart('2026-03-29')).toBe('2026-03-28T22:00:00.000Z');
    expect(dayStart('2026-03-29', 1)).toBe('2026-03-29T21:00:00.000Z');
    expect(dayStart('2026-10-25')).toBe('2026-10-24T21:00:00.000Z');
    expect(dayStart('2026-10-25', 1)).toBe('2026-10-25T22:00:00.000Z');
  });
});
