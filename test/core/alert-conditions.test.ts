import { describe, expect, it } from 'vitest';
import { conditions, noDataCondition } from '../../src/core/alerts/conditions.js';
import type { Canary, VantageStatus } from '../../src/core/model.js';
import type { SiteStateSummary } from '../../src/core/state.js';

const v = (vantage: string, state: VantageStatus['state'], seqSeen?: number): VantageStatus => ({
  siteId: 's',
  vantage,
  state,
  since: 1,
  lastObservedAt: 2,
  seqSeen,
});
const summary = (...vantages: VantageStatus[]): SiteStateSummary => ({
  state: 'fresh',
  since: 0,
  vantages,
  affected: [],
});
const canary = (seq: number, extra: Partial<Canary>): Canary =>
  ({
    siteId: 's',
    seq,
    token: `t${seq}`,
    intentAt: seq,
    reason: 'x',
    state: 'propagating',
    vantages: {},
    ...extra,
  }) as Canary;
const input = (s: SiteStateSummary, recent: Canary[]) => ({
  summary: s,
  recent,
  primary: 'edge',
  deployFailures: 2,
  burn: [],
});
const byCause = (list: ReturnType<typeof conditions>) =>
  Object.fromEntries(list.map((c) => [c.cause, c]));

describe('alert conditions', () => {
  it('raises stale at once for a canary past its threshold, unseen at the edge', () => {
    const c = byCause(
      conditions(
        input(summary(v('edge', 'propagating', 1)), [
          canary(2, { deployedAt: 5, withinSlo: false }),
        ]),
      ),
    );
    expect(c.stale).toMatchObject({
      holds: true,
      immediate: true,
      vantages: ['edge'],
      detail: 'canary #2',
    });
  });

  it('does not hold for a timed-out canary the edge serves by now', () => {
    const late = canary(2, { deployedAt: 5, withinSlo: false, state: 'timed_out' });
    const c = byCause(conditions(input(summary(v('edge', 'fresh', 2)), [late])));
    expect(c.stale!.holds).toBe(false);
  });

  it('names stale, missing and erroring vantages, debounced', () => {
    const s = summary(
      v('edge', 'fresh', 3),
      v('node:a', 'stale', 1),
      v('node:b', 'missing'),
      v('node:c', 'error'),
    );
    const c = byCause(
      conditions(input(s, [canary(3, { deployedAt: 5, visibleAt: 6, withinSlo: true })])),
    );
    expect(c.stale).toMatchObject({ holds: true, immediate: false, vantages: ['node:a'] });
    expect(c.missing).toMatchObject({ holds: true, vantages: ['node:b'] });
    expect(c.error).toMatchObject({ holds: true, vantages: ['node:c'] });
  });

  it('counts consecutive deploy failures, skipping one in flight', () => {
    const recent = [
      canary(4, { state: 'deploying' }),
      canary(3, { state: 'deploy_failed', deployError: 'remote: frozen' }),
      canary(2, { state: 'deploy_failed' }),
      canary(1, { state: 'visible', deployedAt: 1 }),
    ];
    expect(
      byCause(conditions(input(summary(v('edge', 'fresh', 1)), recent))).deploy_failing,
    ).toMatchObject({
      holds: true,
      detail: 'remote: frozen',
    });
    expect(
      byCause(conditions(input(summary(v('edge', 'fresh', 1)), recent.slice(2)))).deploy_failing!
        .holds,
    ).toBe(false);
  });

  it('sees the monitor as stale only when every vantage is silent', () => {
    expect(noDataCondition(summary(v('edge', 'no_data'), v('origin', 'fresh'))).holds).toBe(false);
    expect(noDataCondition(summary(v('edge', 'no_data'), v('origin', 'no_data'))).holds).toBe(true);
  });
});
