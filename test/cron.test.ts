import { describe, expect, it } from 'vitest';
import { CronError, nextCronTime, parseCron } from '../src/core/cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, afterIso: string) =>
  new Date(nextCronTime(parseCron(expr), at(afterIso))).toISOString();

describe('parseCron', () => {
  it('expands stars, lists, ranges, steps and names', () => {
    const spec = parseCron('*/15 0-6/2 1,15 JAN-MAR mon-fri');
    expect(spec.minutes).toEqual([0, 15, 30, 45]);
    expect(spec.hours).toEqual([0, 2, 4, 6]);
    expect(spec.daysOfMonth).toEqual([1, 15]);
    expect(spec.months).toEqual([1, 2, 3]);
    expect(spec.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(spec.domStar).toBe(false);
    expect(spec.dowStar).toBe(false);
  });

  it('reads "a/n" as from a to the end, and 7 as Sunday', () => {
    const spec = parseCron('5/20 * * * 5-7');
    expect(spec.minutes).toEqual([5, 25, 45]);
    expect(spec.daysOfWeek).toEqual([0, 5, 6]);
    expect(parseCron('0 0 * * */2').daysOfWeek).toEqual([0, 2, 4, 6]);
  });

  it('merges overlapping list items and keeps the source', () => {
    const spec = parseCron('  0,0-2,1  *  *  *  *  ');
    expect(spec.minutes).toEqual([0, 1, 2]);
    expect(spec.source).toBe('0,0-2,1  *  *  *  *');
    expect(spec.domStar && spec.dowStar).toBe(true);
  });

  it('knows the macros', () => {
    expect(parseCron('@hourly').minutes).toEqual([0]);
    expect(parseCron('@daily').hours).toEqual([0]);
    expect(parseCron('@weekly').daysOfWeek).toEqual([0]);
    expect(parseCron('@monthly').daysOfMonth).toEqual([1]);
    expect(parseCron('@yearly').months).toEqual([1]);
  });

  it.each([
    ['every hour', 'expected 5 fields (minute hour day-of-month month day-of-week), got 2'],
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['60 * * * *', 'minute: 60 is out of range 0-59'],
    ['0 24 * * *', 'hour: 24 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month: 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month: 13 is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week: 8 is out of range 0-7'],
    ['*/0 * * * *', 'minute: step "0" must be a positive whole number'],
    ['*/x * * * *', 'minute: step "x" must be a positive whole number'],
    ['1/2/3 * * * *', 'minute: "1/2/3" has more than one step'],
    ['30-10 * * * *', 'minute: range "30-10" goes backwards'],
    ['1-2-3 * * * *', 'minute: "1-2-3" is not a range'],
    ['1, * * * *', 'minute: empty value'],
    ['x * * * *', 'minute: "x" is not a number'],
    ['0 0 * FOO *', 'month: "FOO" is not a number or name'],
    ['0 0 31 2,4 *', 'the day-of-month never occurs in the chosen months'],
  ])('refuses %j: %s', (expr, reason) => {
    let error: unknown;
    try {
      parseCron(expr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CronError);
    expect((error as CronError).reason).toBe(reason);
    expect((error as Error).message).toBe(
      `invalid cron expression ${JSON.stringify(expr)}: ${reason}`,
    );
  });

  it('accepts a day that exists in only some chosen months', () => {
    expect(parseCron('0 0 31 1,2 *').daysOfMonth).toEqual([31]);
  });
});

describe('nextCronTime', () => {
  it('returns the next matching minute strictly after the given time', () => {
    expect(next('*/30 * * * *', '2024-05-01T12:10:00Z')).toBe('2024-05-01T12:30:00.000Z');
    expect(next('*/30 * * * *', '2024-05-01T12:30:00Z')).toBe('2024-05-01T13:00:00.000Z');
    expect(next('*/30 * * * *', '2024-05-01T12:29:59.999Z')).toBe('2024-05-01T12:30:00.000Z');
    expect(next('* * * * *', '2024-05-01T12:00:30Z')).toBe('2024-05-01T12:01:00.000Z');
  });

  it('handles lists and stepped ranges', () => {
    expect(next('5,35 * * * *', '2024-05-01T12:06:00Z')).toBe('2024-05-01T12:35:00.000Z');
    expect(next('5,35 * * * *', '2024-05-01T12:36:00Z')).toBe('2024-05-01T13:05:00.000Z');
    expect(next('10-20/5 8 * * *', '2024-05-01T08:12:00Z')).toBe('2024-05-01T08:15:00.000Z');
    expect(next('10-20/5 8 * * *', '2024-05-01T08:20:00Z')).toBe('2024-05-02T08:10:00.000Z');
  });

  it('crosses month and year boundaries', () => {
    expect(next('0 0 1 * *', '2024-01-31T23:59:00Z')).toBe('2024-02-01T00:00:00.000Z');
    expect(next('30 23 31 * *', '2024-04-01T00:00:00Z')).toBe('2024-05-31T23:30:00.000Z');
    expect(next('0 0 1 1 *', '2024-06-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('59 23 31 12 *', '2024-12-31T23:59:00Z')).toBe('2025-12-31T23:59:00.000Z');
    expect(next('0 0 * FEB *', '2024-12-15T10:00:00Z')).toBe('2025-02-01T00:00:00.000Z');
    expect(next('*/30 * * * *', '2024-12-31T23:45:00Z')).toBe('2025-01-01T00:00:00.000Z');
  });

  it('finds a leap day years ahead', () => {
    expect(next('0 12 29 2 *', '2025-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next('0 0 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
  });

  it('matches day-of-week, and either day field when both are restricted', () => {
    // 2024-03-03 is a Sunday.
    expect(next('0 9 * * MON', '2024-03-03T10:00:00Z')).toBe('2024-03-04T09:00:00.000Z');
    expect(next('0 9 * * 0', '2024-03-03T08:00:00Z')).toBe('2024-03-03T09:00:00.000Z');
    // Friday the 6th comes before the 13th: classic cron ORs the two fields.
    expect(next('0 0 13 * FRI', '2024-09-01T00:00:00Z')).toBe('2024-09-06T00:00:00.000Z');
    // With day-of-month "*" only the weekday counts.
    expect(next('0 0 */1 * FRI', '2024-09-01T00:00:00Z')).toBe('2024-09-06T00:00:00.000Z');
  });

  it('works before the epoch', () => {
    expect(next('0 0 1 1 *', '1969-06-01T00:00:00Z')).toBe('1970-01-01T00:00:00.000Z');
  });

  it('throws instead of looping when a hand-made spec never matches', () => {
    const spec = { ...parseCron('0 0 * * *'), daysOfMonth: [31], months: [2] };
    expect(() => nextCronTime(spec, 0)).toThrow('cron expression "0 0 * * *" never matches');
  });
});
