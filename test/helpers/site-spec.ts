/** A minimal SiteSpec for core tests that step one site: 60 s interval, 10 min timeout. */
import type { SiteSpec } from '../../src/core/site.js';

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
