/** The small pieces behind the status page: arithmetic that must not flatter, and the caches. */
import { describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/model.js';
import type { DailyFreshness } from '../../src/core/store.js';
import { DAY_MS } from '../../src/core/time.js';
import { DailyHistory } from '../../src/http/daily-history.js';
import { etagMatches, strongEtag } from '../../src/http/etag.js';
import { displayUrl, formatDuration, percent, percentile } from '../../src/http/format.js';
import { Refreshing } from '../../src/http/refreshing.js';
import { chartData, siteStats } from '../../src/http/site-stats.js';
import { cellClass, makeBar } from '../../src/http/status-page/days.js';

const canary = (seq: number, extra: Partial<Canary>): Canary => ({
  siteId: 's',
  seq,
  token: `t${seq}`,
  intentAt: seq * 1_000,
  deployedAt: seq * 1_000,
  state: 'visible',
  reason: 'x',
  vantages: {},
  ...extra,
});

const day = (d: number, canaries: number, withinSlo: number): DailyFreshness => ({
  siteId: 's',
  day: d,
  canaries,
  withinSlo,
  visible: withinSlo,
  timedOut: 0,
  deployFailed: 0,
  latencySumMs: 0,
});

describe('numbers that must not flatter', () => {
  it('counts a timed-out canary as slower than anything measured', () => {
    const stats = siteStats(
      [
        canary(1, { latencyMs: 10_000, withinSlo: true }),
        canary(2, { state: 'timed_out', withinSlo: false, latencyMs: undefined }),
      ],
      10_000,
      60_000,
    );
    expect(stats.p50Ms).toBe(10_000);
    expect(stats.p95Ms).toBe(Number.POSITIVE_INFINITY);
    expect(stats.sli).toEqual({ good: 1, total: 2, ratio: 0.5 });
    expect(siteStats([], 0, 1).sli.ratio).toBeUndefined();
  });

  it('draws rolling percentiles, and a censored one at the timeout', () => {
    const chart = chartData(
      [
        canary(1, { latencyMs: 4_000, latencyBoundsMs: [3_000, 5_000], withinSlo: true }),
        canary(2, { state: 'timed_out', withinSlo: false }),
        canary(3, { state: 'deploy_failed', deployedAt: undefined }),
      ],
      60_000,
      1_800_000,
    );
    expect(chart.points.map((p) => [p.kind, p.y, p.lo, p.hi])).toEqual([
      ['ok', 4_000, 3_000, 5_000],
      ['timeout', 1_800_000, 1_800_000, 1_800_000],
    ]);
    expect(chart.p95.map((p) => p.y)).toEqual([4_000, 1_800_000]);
  });

  it('never rounds a ratio below one up to 100%', () => {
    expect(percent(0.99996)).toBe('99.9%');
    expect(percent(1)).toBe('100.0%');
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(formatDuration(14 * 60_000)).toBe('14 min');
  });

  it('grades days by share within the SLO; a day without verdicts is no data', () => {
    expect(cellClass(undefined)).toBe('nd');
    expect(cellClass(day(0, 0, 0))).toBe('nd');
    expect(cellClass(day(0, 48, 48))).toBe('g4');
    expect(cellClass(day(0, 48, 47))).toBe('g3');
    expect(cellClass(day(0, 4, 3))).toBe('g2');
    expect(cellClass(day(0, 2, 1))).toBe('g1');
    expect(cellClass(day(0, 3, 1))).toBe('g0');
    const bar = makeBar(new Map([[0, day(0, 2, 1)]]), 0);
    expect(bar.cells).toHaveLength(90);
    expect(bar.summary).toBe(
      '90 days: 0 met the SLO, 1 below, 89 no data; worst 1970-01-01 (50.0%)',
    );
  });
});

describe('what is shown publicly', () => {
  it('drops credentials from URLs', () => {
    expect(displayUrl('https://user:secret@docs.example.com/x')).toBe('https://docs.example.com/x');
    expect(displayUrl('https://docs.example.com/')).toBe('https://docs.example.com/');
  });

  it('matches ETags as RFC 9110 says', () => {
    const tag = strongEtag('body');
    expect(etagMatches(`"a", ${tag}`, tag)).toBe(true);
    expect(etagMatches(`W/${tag}`, tag)).toBe(true);
    expect(etagMatches('*', tag)).toBe(true);
    expect(etagMatches('"other"', tag)).toBe(false);
    expect(etagMatches(undefined, tag)).toBe(false);
  });
});

describe('caches', () => {
  it('serves a value until it is due, refreshes behind the reader, never serves it too old', async () => {
    let now = 0;
    let computed = 0;
    const r = new Refreshing(
      async (at) => ({ at, n: ++computed }),
      () => now,
      5_000,
    );
    expect((await r.get()).value.n).toBe(1);
    now = 3_000;
    expect((await r.get()).value.n).toBe(1);
    now = 4_500; // past refreshAfter (4 s): still served, refreshed in the background
    expect((await r.get()).value.n).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await r.get()).value.n).toBe(2);
    now = 20_000; // past maxAge: computed before answering
    expect((await r.get()).value.n).toBe(3);
  });

  it('reads the whole window now and then, and only the last two days in between', async () => {
    const today = 100 * DAY_MS;
    const calls: number[] = [];
    const rows = [day(today - 50 * DAY_MS, 4, 4), day(today, 4, 3)];
    const store = {
      dailyFreshness: async (from: number) => {
        calls.push(from);
        return rows.filter((r) => r.day >= from);
      },
    };
    const history = new DailyHistory(store, 60_000);
    const first = await history.load(today + 1_000);
    rows[1] = day(today, 5, 5);
    const second = await history.load(today + 2_000);
    expect(calls).toEqual([today - 89 * DAY_MS, today - DAY_MS]);
    expect(first.get('s')!.get(today)!.canaries).toBe(4);
    expect(second.get('s')!.get(today)!.canaries).toBe(5);
    expect(second.get('s')!.get(today - 50 * DAY_MS)!.canaries).toBe(4);
    await history.load(today + DAY_MS);
    expect(calls.at(-1)).toBe(today + DAY_MS - 89 * DAY_MS);
  });
});
