import { describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/model.js';
import {
  availabilityCount,
  burnRate,
  countIn,
  errorBudget,
  evaluateBurn,
  freshnessEvents,
  type SloEvent,
  toSli,
} from '../../src/core/slo.js';
import type { HourlyVantage } from '../../src/core/store.js';

const H = 3_600_000;
const windows = [
  { factor: 14.4, long: H, short: 5 * 60_000 },
  { factor: 6, long: 6 * H, short: 30 * 60_000 },
  { factor: 1, long: 72 * H, short: 6 * H },
];

/** One event every `every` ms ending at `now`, bad where `bad(i)`. */
function series(n: number, every: number, now: number, bad: (i: number) => boolean): SloEvent[] {
  return Array.from({ length: n }, (_, i) => ({ at: now - (n - 1 - i) * every, good: !bad(i) }));
}

describe('SLI and budget', () => {
  it('has no ratio without events: no data is not 100%', () => {
    expect(toSli({ good: 0, total: 0 })).toEqual({ good: 0, total: 0 });
    expect(toSli({ good: 3, total: 4 }).ratio).toBe(0.75);
  });

  it('counts only judged canaries, at their deploy time, and not deploy failures', () => {
    const c = (seq: number, withinSlo: boolean | undefined, deployedAt?: number) =>
      ({ seq, withinSlo, deployedAt, intentAt: seq * 10 }) as Canary;
    const events = freshnessEvents([
      c(1, true, 15),
      c(2, false, 25),
      c(3, undefined),
      c(4, undefined, 45),
    ]);
    expect(events).toEqual([
      { at: 15, good: true },
      { at: 25, good: false },
    ]);
  });

  it('computes burn rate and remaining budget by hand', () => {
    // 200 canaries, 1 bad, target 99%: allowed 2 bad, burn (1/200)/0.01 = 0.5, half the budget left.
    const count = { good: 199, total: 200 };
    expect(burnRate(count, 0.99)).toBeCloseTo(0.5, 10);
    expect(errorBudget(count, 0.99)).toEqual({
      allowedBad: 2.0000000000000018,
      bad: 1,
      remaining: expect.closeTo(0.5, 10),
    });
    expect(burnRate({ good: 0, total: 0 }, 0.99)).toBeUndefined();
    expect(errorBudget({ good: 0, total: 0 }, 0.99).remaining).toBeUndefined();
  });

  it('reads availability from hourly probe counts, ignoring other vantages', () => {
    const h = (vantage: string, total: number, missing: number, error: number) =>
      ({ vantage, hour: H, total, missing, error }) as HourlyVantage;
    expect(availabilityCount([h('edge', 60, 3, 2), h('origin', 60, 60, 0)], 'edge', 0)).toEqual({
      good: 55,
      total: 60,
    });
  });

  it('counts events in half-open windows', () => {
    const events = series(10, 1_000, 10_000, () => false);
    expect(countIn(events, 5_000, 8_000)).toEqual({ good: 3, total: 3 });
  });
});

describe('multiwindow multi-burn-rate', () => {
  const now = 100 * H;

  it('does not fire on empty windows (zero events)', () => {
    const v = evaluateBurn([], now, 0.99, windows, 1);
    expect(v.every((w) => !w.firing && w.guarded && w.longBurn === undefined)).toBe(true);
  });

  it('guards rare canaries: one bad canary of two in an hour does not page', () => {
    const events = series(2, 30 * 60_000, now, (i) => i === 1);
    const [fast] = evaluateBurn(events, now, 0.99, windows, 5);
    expect(fast).toMatchObject({ longEvents: 2, guarded: true, firing: false });
    expect(fast!.longBurn).toBeCloseTo(50, 6);
    expect(fast!.shortBurn).toBeCloseTo(100, 6);
  });

  it('fires the fast window when both windows burn over 14.4x with enough events', () => {
    // One canary a minute for an hour; the last 10 bad: long burn (10/60)/0.01 = 16.7, short (5/5)/0.01 = 100.
    const events = series(60, 60_000, now, (i) => i >= 50);
    const [fast, medium] = evaluateBurn(events, now, 0.99, windows, 5);
    expect(fast!.longBurn).toBeCloseTo(1000 / 60, 6);
    expect(fast!.shortBurn).toBeCloseTo(100, 6);
    expect(fast!.firing).toBe(true);
    // Six hours hold the same 60 events: burn 16.7 >= 6 and the short window 100 >= 6.
    expect(medium!.firing).toBe(true);
  });

  it('does not fire when the short window has recovered', () => {
    const events = series(60, 60_000, now, (i) => i >= 40 && i < 50);
    const [fast] = evaluateBurn(events, now, 0.99, windows, 5);
    expect(fast!.longBurn).toBeGreaterThan(14.4);
    expect(fast!.shortBurn).toBe(0);
    expect(fast!.firing).toBe(false);
  });
});
