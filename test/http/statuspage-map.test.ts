/** The rollups: our banner and Statuspage's page indicator never read green over a silent monitor. */
import { describe, expect, it } from 'vitest';
import type { SiteState } from '../../src/core/model.js';
import {
  bannerOf,
  type ComponentStatus,
  componentStatus,
  pageStatus,
} from '../../src/http/statuspage-map.js';
import type { SiteView } from '../../src/http/views.js';

function view(state: SiteState, extra: Partial<SiteView> = {}): SiteView {
  return {
    id: 's',
    name: 's',
    url: 'https://s.example.com/',
    state,
    since: 0,
    affected: { vantages: ['edge', 'origin'], of: 2 },
    vantages: [],
    slo: { thresholdMs: 300_000, target: 0.99, windowMs: 1 },
    ...extra,
  };
}

function rollup(...views: SiteView[]) {
  const statuses = views.map(componentStatus);
  return {
    statuses,
    banner: bannerOf(
      views.map((v) => v.state),
      statuses,
    ),
    page: pageStatus(views, statuses),
  };
}

describe('component status', () => {
  it('follows DESIGN.md section 3', () => {
    const cases: Array<[SiteView, ComponentStatus]> = [
      [view('fresh'), 'operational'],
      [view('propagating'), 'operational'],
      [view('stale', { stalenessMs: 600_000 }), 'degraded_performance'],
      [view('stale', { stalenessMs: 600_001 }), 'partial_outage'],
      [view('missing'), 'major_outage'],
      [view('missing', { affected: { vantages: ['edge'], of: 2 } }), 'partial_outage'],
      [view('error'), 'major_outage'],
      [view('error', { affected: { vantages: ['node:10.0.0.1'], of: 5 } }), 'partial_outage'],
      [view('deploy_failing'), 'degraded_performance'],
      [view('paused'), 'under_maintenance'],
      [view('no_data'), 'under_maintenance'],
    ];
    for (const [v, status] of cases)
      expect([v.state, componentStatus(v)]).toEqual([v.state, status]);
  });
});

describe('rollups', () => {
  it('is operational only when every watched site is', () => {
    expect(rollup(view('fresh'), view('propagating'))).toMatchObject({
      banner: 'operational',
      page: { indicator: 'none', description: 'All Systems Operational' },
    });
    expect(rollup(view('fresh'), view('paused')).page.indicator).toBe('none');
  });

  it('never reads green over a silent monitor', () => {
    const r = rollup(view('fresh'), view('no_data'));
    expect(r.banner).toBe('no_data');
    expect(r.page).toEqual({
      indicator: 'minor',
      description: 'Monitoring Data Stale: Status Unknown',
    });
  });

  it('ranks outages over degradation over no data', () => {
    expect(rollup(view('no_data'), view('stale', { stalenessMs: 1 })).page.indicator).toBe('minor');
    expect(rollup(view('no_data'), view('stale', { stalenessMs: 1 })).banner).toBe('degraded');
    expect(
      rollup(view('missing', { affected: { vantages: ['edge'], of: 2 } })).page.indicator,
    ).toBe('major');
    expect(rollup(view('fresh'), view('missing')).page).toEqual({
      indicator: 'critical',
      description: 'Major System Outage',
    });
    expect(rollup(view('paused'), view('paused'))).toMatchObject({
      banner: 'maintenance',
      page: { description: 'Service Under Maintenance' },
    });
  });
});
