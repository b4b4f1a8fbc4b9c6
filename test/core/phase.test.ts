import { describe, expect, it } from 'vitest';
import { nextSteadyProbe, sitePhaseMs } from '../../src/core/time.js';

describe('steady probes on a per-site grid', () => {
  it('spreads 1,000 sites over the interval', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const phase = sitePhaseMs(`s${String(i).padStart(4, '0')}`, 1000);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(1000);
      buckets[Math.floor(phase / 100)]!++;
    }
    // Uniform would be 100 per 100 ms bucket; a shared instant would put all 1,000 in one.
    for (const n of buckets) expect(n).toBeGreaterThan(60);
  });

  it('is stable for a site and spaced by the interval once on the grid', () => {
    const first = nextSteadyProbe('docs', 1_000_123, 60_000);
    expect(first - 1_000_123).toBeGreaterThanOrEqual(30_000);
    expect(first - 1_000_123).toBeLessThanOrEqual(90_000);
    expect((first - sitePhaseMs('docs', 60_000)) % 60_000).toBe(0);
    // A round that starts a little late still lands on the next grid point.
    expect(nextSteadyProbe('docs', first + 40, 60_000)).toBe(first + 60_000);
    expect(nextSteadyProbe('docs', first, 60_000)).toBe(first + 60_000);
    // ... and so does one woken a moment early (timers may fire a millisecond ahead).
    expect(nextSteadyProbe('docs', first - 1, 60_000)).toBe(first + 60_000);
  });
});
