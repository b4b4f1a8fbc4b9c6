/** Building blocks for core tests that step a site: a minimal spec, deps, a 404 edge. */
import { newToken } from '../../src/core/canary.js';
import { type CoreDeps, silentLogger } from '../../src/core/deps.js';
import type { Prober } from '../../src/core/ports.js';
import type { SiteSpec } from '../../src/core/site.js';
import type { FullStore } from '../../src/core/store.js';

/** A minimal SiteSpec: 60 s interval, 10 min timeout. */

export function minimalSpec(id: string, vantages: string[]): SiteSpec {
  return {
    id,
    name: id,
    url: `https://${id}.example.com/`,
    canary: { path: '/freshprobe/canary.json', format: 'json' },
    probe: { vantages, interval: 60_000 },
    timeout: 600_000,
    slo: { threshold: 60_000, target: 0.99, window: 86_400_000 },
  };
}

/** Core deps over `store` with a test clock, silent logs and real tokens. */
export function testDeps(
  store: FullStore,
  now: () => number,
  extra: Partial<CoreDeps> = {},
): CoreDeps {
  return { store, clock: { now }, log: silentLogger, newToken, ...extra };
}

/** An edge prober whose site answers 404 (no canary yet), counting its probes in `count.n`. */
export function edge404(now: () => number, count: { n: number }): Prober {
  return {
    kind: 'edge',
    probe: async () => {
      count.n++;
      return [{ vantage: 'edge', startedAt: now(), durationMs: 1, status: 404, cache: {} }];
    },
  };
}
