import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['28d', 2_419_200_000],
    ['1h30m', 5_400_000],
    ['1m30s250ms', 90_250],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['0s', 0],
    [' 10s ', 10_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes numbers as milliseconds, rounded', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(2.6)).toBe(3);
  });

  it.each(['', 'soon', '300', '5 m', '5min', '-5m', 'm', '5m soon', '1h 30m', '5M'])(
    'refuses %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/invalid duration/);
    },
  );

  it('names the unit rule in its message', () => {
    expect(() => parseDuration('soon')).toThrow(
      'invalid duration "soon": expected a number with a unit (ms, s, m, h, d), like 30s, 5m or 2h',
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %d', (n) => {
    expect(() => parseDuration(n)).toThrow(/non-negative number of milliseconds/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1s500ms'],
    [60_000, '1m'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [2_419_200_000, '28d'],
    [90_061_001, '1d1h1m1s1ms'],
    [-300_000, '-5m'],
    [1_499.6, '1s500ms'],
  ])('writes %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_001, 3_600_000, 93_784_005]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
