import { describe, expect, it } from 'vitest';
import { changedFrom, keepObservation } from '../../src/core/keep.js';
import type { Observation, VantageStatus } from '../../src/core/model.js';

const obs = (over: Partial<Observation> = {}): Observation => ({
  siteId: 's',
  vantage: 'edge',
  startedAt: 10_000,
  durationMs: 20,
  status: 200,
  seqSeen: 4,
  canarySeq: 5,
  state: 'propagating',
  stalenessMs: 3_000,
  cache: { age: 12 },
  ...over,
});

const status = (over: Partial<VantageStatus> = {}): VantageStatus => ({
  siteId: 's',
  vantage: 'edge',
  state: 'propagating',
  since: 9_000,
  lastObservedAt: 9_020,
  status: 200,
  seqSeen: 4,
  stalenessMs: 2_000,
  ...over,
});

describe('which observations are stored', () => {
  it("keeps a vantage's first observation, in a window or not", () => {
    expect(keepObservation(obs(), undefined, true)).toBe(true);
    expect(keepObservation(obs({ state: 'fresh' }), undefined, false)).toBe(true);
  });

  it('drops a repeated "still propagating" poll inside a canary window', () => {
    // Only timing, staleness and cache facts moved: the hourly counts and the canary's last miss hold them.
    const again = obs({
      startedAt: 11_000,
      durationMs: 35,
      stalenessMs: 4_000,
      cache: { age: 13 },
    });
    expect(keepObservation(again, status(), true)).toBe(false);
  });

  it('keeps the first miss of a new canary (the state moves from fresh to propagating)', () => {
    const was = status({ state: 'fresh', seqSeen: 4, stalenessMs: undefined });
    expect(keepObservation(obs(), was, true)).toBe(true);
  });

  it('keeps a change of seqSeen, HTTP status or error class, each on its own', () => {
    expect(changedFrom(obs({ seqSeen: 3 }), status())).toBe(true);
    expect(changedFrom(obs({ status: 203 }), status())).toBe(true);
    const failing = status({ state: 'error', errorClass: 'http_5xx', status: 502 });
    expect(changedFrom(obs({ state: 'error', errorClass: 'timeout', status: 502 }), failing)).toBe(
      true,
    );
    expect(changedFrom(obs({ status: undefined }), status())).toBe(true);
    expect(changedFrom(obs(), status())).toBe(false);
    expect(keepObservation(obs({ seqSeen: 3 }), status(), true)).toBe(true);
    expect(keepObservation(obs({ status: 203 }), status(), true)).toBe(true);
  });

  it('keeps the first hit: the observation that made the newest canary visible here', () => {
    const hit = obs({ state: 'fresh', seqSeen: 5, stalenessMs: undefined });
    expect(keepObservation(hit, status(), true)).toBe(true);
    // A newer canary than the one judged against counts as seeing it.
    expect(keepObservation(obs({ state: 'fresh', seqSeen: 6 }), status(), true)).toBe(true);
    // Already seen at this vantage: a repeat, not a first hit.
    const seen = status({ state: 'fresh', seqSeen: 5, stalenessMs: undefined });
    expect(keepObservation({ ...hit, startedAt: 12_000 }, seen, true)).toBe(false);
    // The last status was an error that carried the seq: it did not count as seen.
    const failed = status({ state: 'error', seqSeen: 5, errorClass: 'no_marker' });
    expect(keepObservation(hit, failed, true)).toBe(true);
  });

  it('keeps every error inside a window, even a repeat of the same failure', () => {
    const failing = obs({ state: 'error', errorClass: 'timeout', status: undefined });
    const was = status({ state: 'error', errorClass: 'timeout', status: undefined });
    expect(changedFrom(failing, was)).toBe(false);
    expect(keepObservation(failing, was, true)).toBe(true);
  });

  it('between canaries keeps state changes only', () => {
    const fresh = status({ state: 'fresh', seqSeen: 5, stalenessMs: undefined });
    const same = obs({ state: 'fresh', seqSeen: 5, stalenessMs: undefined });
    expect(keepObservation(same, fresh, false)).toBe(false);
    expect(keepObservation({ ...same, status: 203 }, fresh, false)).toBe(false);
    expect(keepObservation(obs({ state: 'stale', seqSeen: 4 }), fresh, false)).toBe(true);
    const failing = obs({ state: 'error', errorClass: 'timeout' });
    expect(keepObservation(failing, status({ state: 'error', errorClass: 'timeout' }), false)).toBe(
      false,
    );
  });
});
