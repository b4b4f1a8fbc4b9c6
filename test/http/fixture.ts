/**
 * One seeded status server for the HTTP tests: a site in every state the
 * status page must tell apart, 90 days of history with gaps and bad days,
 * incidents in every stage, on a frozen clock so texts are exact.
 */
import type { Incident } from '../../src/core/model.js';
import type { SiteSpec } from '../../src/core/site.js';
import { MIN, type Scenario, seedHistory, siteSpec } from './seed-history.js';
import { incidentFor } from './seed-incidents.js';
import { type StatusApp, statusApp } from './status-server.js';

export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
export const XSS_NAME = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
export const XSS_GROUP = '"><svg onload="window.pwned=3">';

export const SITES: Array<[SiteSpec, Scenario]> = [
  [siteSpec('docs', { name: 'Product docs', group: 'Docs' }), 'fresh'],
  [siteSpec('blog', { name: 'Blog', group: 'Docs' }), 'stale_nodes'],
  [siteSpec('shop', { name: 'Shop', group: 'Shops' }), 'missing'],
  [siteSpec('edge-err', { name: 'Edge errors', group: 'Shops' }), 'error'],
  [siteSpec('api', { name: 'API reference' }), 'no_data'],
  [siteSpec('paused', { name: 'Paused site' }), 'paused'],
  [siteSpec('xss', { name: XSS_NAME, group: XSS_GROUP }), 'fresh'],
];

/** Days (back from today) without any canary, and days with mostly late canaries. */
export const GAP_DAYS = [10, 11, 40];
export const BAD_DAYS = [3, 20];

export interface Fixture extends StatusApp {
  incidents: Record<'open' | 'acknowledged' | 'recovered' | 'resolved', Incident>;
}

export async function seededStatusApp(
  options: { assets?: boolean; perDay?: number } = {},
): Promise<Fixture> {
  const specs = SITES.map(([spec]) => spec);
  const app = await statusApp(specs, { now: () => NOW, assets: options.assets });
  app.handle.sqlite.exec('BEGIN');
  await seedHistory(
    app.store,
    SITES.map(([spec, scenario]) => ({ spec, scenario })),
    { now: NOW, canariesPerDay: options.perDay ?? 6, gapDays: GAP_DAYS, badDays: BAD_DAYS },
  );
  app.handle.sqlite.exec('COMMIT');
  const [docs, blog, shop, edgeErr] = specs;
  const open = incidentFor(blog!, NOW, 'open', 14 * MIN);
  const acknowledged = {
    ...incidentFor(shop!, NOW, 'open', 40 * MIN),
    acknowledgedAt: NOW - 30 * MIN,
    acknowledgedBy: 'alice@example.com',
  };
  acknowledged.timeline = [
    ...acknowledged.timeline,
    { at: NOW - 30 * MIN, kind: 'acknowledged', message: 'Acknowledged' },
  ];
  const base = incidentFor(edgeErr!, NOW, 'open', 3 * 60 * MIN);
  const recovered: Incident = {
    ...base,
    timeline: [
      ...base.timeline,
      { at: NOW - 5 * MIN, kind: 'recovered', message: 'Edge answers again' },
    ],
  };
  const resolved = incidentFor(docs!, NOW, 'resolved', 5 * 24 * 60 * MIN);
  for (const i of [open, acknowledged, recovered, resolved]) await app.store.putIncident(i);
  return { ...app, incidents: { open, acknowledged, recovered, resolved } };
}
