import { describe, expect, it } from 'vitest';
import type { Canary, VantageStatus } from '../../src/core/model.js';
import { summarizeSite } from '../../src/core/state.js';

const v = (
  vantage: string,
  state: VantageStatus['state'],
  lastObservedAt = 100_000,
  since = 50_000,
): VantageStatus => ({
  siteId: 's',
  vantage,
  state,
  since,
  lastObservedAt,
});
const base = { now: 100_000, intervalMs: 10_000, paused: false };

describe('site state', () => {
  it('is the worst vantage and says which vantages are affected', () => {
    const s = summarizeSite({
      ...base,
      vantages: [v('edge', 'fresh'), v('node:a', 'stale'), v('node:b', 'fresh')],
    });
    expect(s.state).toBe('stale');
    expect(s.affected).toEqual(['node:a']);
  });

  it('says fresh since the last vantage became fresh, not before the incident', () => {
    const s = summarizeSite({
      ...base,
      vantages: [v('edge', 'fresh', 100_000, 10_000), v('node:a', 'fresh', 100_000, 90_000)],
    });
    expect(s).toMatchObject({ state: 'fresh', since: 90_000 });
  });

  it('shows no_data, never green, when the monitor went silent', () => {
    const s = summarizeSite({
      ...base,
      now: 130_001,
      vantages: [v('edge', 'fresh'), v('origin', 'fresh')],
    });
    expect(s.state).toBe('no_data');
    expect(s.since).toBe(100_000);
  });

  it('is no_data with no observations at all', () => {
    expect(summarizeSite({ ...base, vantages: [] }).state).toBe('no_data');
  });

  it('reports a failed deploy as deploy_failing, not stale', () => {
    const latest = { state: 'deploy_failed', intentAt: 90_000, closedAt: 91_000 } as Canary;
    const s = summarizeSite({ ...base, vantages: [v('edge', 'fresh')], latest });
    expect(s).toMatchObject({ state: 'deploy_failing', since: 91_000 });
  });

  it('is paused when an operator paused it', () => {
    expect(summarizeSite({ ...base, paused: true, vantages: [v('edge', 'missing')] }).state).toBe(
      'paused',
    );
  });

  it('ranks missing above error above stale', () => {
    const s = summarizeSite({
      ...base,
      vantages: [v('edge', 'stale'), v('origin', 'error'), v('node:x', 'missing')],
    });
    expect(s.state).toBe('missing');
  });
});
