import { describe, expect, it } from 'vitest';
import type { Canary, Observation } from '../../src/core/model.js';
import {
  applyObservation,
  pollIntervalMs,
  settleCanary,
  vantageLatency,
} from '../../src/core/progress.js';

const open: Canary = {
  siteId: 's',
  seq: 5,
  token: 't',
  intentAt: 9_000,
  reason: 'schedule',
  state: 'propagating',
  deployStartedAt: 9_800,
  deployedAt: 10_000,
  vantages: {},
};

const obs = (
  vantage: string,
  startedAt: number,
  seqSeen: number | undefined,
  state: Observation['state'],
): Observation => ({
  siteId: 's',
  vantage,
  startedAt,
  durationMs: 20,
  seqSeen,
  state,
  cache: {},
});

const rules = {
  now: 20_000,
  primary: 'edge',
  thresholdMs: 60_000,
  timeoutMs: 600_000,
  steadyIntervalMs: 60_000,
};

describe('canary progress', () => {
  it('polls every 0.8 s at first, then 10% of elapsed, capped at the steady interval', () => {
    expect(pollIntervalMs(0, 60_000)).toBe(800);
    expect(pollIntervalMs(10_000, 60_000)).toBe(1_000);
    expect(pollIntervalMs(30_000, 60_000)).toBe(3_000);
    expect(pollIntervalMs(3_600_000, 60_000)).toBe(60_000);
  });

  it('bounds latency between the last miss and the first hit, widened by the deploy window', () => {
    let c = applyObservation(open, obs('edge', 12_000, 4, 'propagating'));
    c = applyObservation(c, obs('edge', 13_000, 5, 'fresh'));
    const latency = vantageLatency(c, c.vantages.edge);
    // visible at 13,020 (end of the hit); lower edge: last miss started 12,000.
    expect(latency).toEqual({ latencyMs: 3_020, latencyBoundsMs: [2_000, 3_220] });
  });

  it('ignores errors: a timeout proves neither a miss nor a hit', () => {
    const c = applyObservation(open, obs('edge', 12_000, undefined, 'error'));
    expect(c.vantages.edge).toBeUndefined();
  });

  it('counts a newer marker as visible, and keeps the first hit', () => {
    let c = applyObservation(open, obs('edge', 12_000, 6, 'fresh'));
    c = applyObservation(c, obs('edge', 14_000, 6, 'fresh'));
    expect(c.vantages.edge?.visibleAt).toBe(12_020);
  });

  it('closes as visible only when every answering vantage saw it', () => {
    let c = applyObservation(open, obs('edge', 12_000, 5, 'fresh'));
    c = applyObservation(c, obs('node:127.0.0.2', 12_000, 4, 'propagating'));
    let settled = settleCanary(c, rules);
    expect(settled).toMatchObject({ state: 'propagating', visibleAt: 12_020, withinSlo: true });
    expect(settled.nextProbeAt).toBe(21_000);
    c = applyObservation(settled, obs('node:127.0.0.2', 19_000, 5, 'fresh'));
    settled = settleCanary(c, rules);
    expect(settled).toMatchObject({ state: 'visible', closedAt: 20_000 });
  });

  it('marks the SLO missed as soon as the threshold passes unseen, then times out', () => {
    const c = applyObservation(open, obs('edge', 12_000, 4, 'propagating'));
    expect(settleCanary(c, { ...rules, now: 69_000 }).withinSlo).toBeUndefined();
    expect(settleCanary(c, { ...rules, now: 71_000 }).withinSlo).toBe(false);
    expect(settleCanary(c, { ...rules, now: 610_000 })).toMatchObject({
      state: 'timed_out',
      withinSlo: false,
    });
  });
});
