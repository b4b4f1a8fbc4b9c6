/**
 * Site state → Statuspage component status and page indicator (DESIGN.md
 * section 3), shared by the Statuspage API and the status page banner.
 *
 * Statuspage has no grey "unknown": `no_data` maps to `under_maintenance`,
 * the only non-green status that does not assert a fault in the site itself,
 * and it keeps the page indicator off `none`, so a stale monitor never reads
 * as "All Systems Operational".
 */
import type { Impact, Incident, SiteState } from '../core/model.js';
import type { SiteView } from './views.js';

export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

export type Indicator = 'none' | 'minor' | 'major' | 'critical';

export function componentStatus(view: SiteView): ComponentStatus {
  const all = view.affected.vantages.length >= view.affected.of;
  switch (view.state) {
    case 'fresh':
    case 'propagating':
      return 'operational';
    case 'stale':
      return (view.stalenessMs ?? 0) > 2 * view.slo.thresholdMs
        ? 'partial_outage'
        : 'degraded_performance';
    case 'missing':
    case 'error':
      return all ? 'major_outage' : 'partial_outage';
    // Visitors still get the last published content; publishing is what is degraded.
    case 'deploy_failing':
      return 'degraded_performance';
    case 'paused':
    case 'no_data':
      return 'under_maintenance';
  }
}

const RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function worstStatus(statuses: ComponentStatus[]): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export interface PageStatus {
  indicator: Indicator;
  description: string;
}

/** Statuspage's blended rollup; no_data counts as minor, never as none. */
export function pageStatus(
  views: Array<Pick<SiteView, 'state'>>,
  statuses: ComponentStatus[],
): PageStatus {
  const has = (s: ComponentStatus) => statuses.includes(s);
  const noData = views.filter((v) => v.state === 'no_data').length;
  if (has('major_outage')) return { indicator: 'critical', description: 'Major System Outage' };
  if (has('partial_outage')) return { indicator: 'major', description: 'Partial System Outage' };
  if (has('degraded_performance'))
    return { indicator: 'minor', description: 'Partially Degraded Service' };
  if (noData) return { indicator: 'minor', description: 'Monitoring Data Stale: Status Unknown' };
  // Paused sites are not watched: only a page where every site is paused reads as maintenance.
  if (statuses.length && statuses.every((s) => s === 'under_maintenance'))
    return { indicator: 'none', description: 'Service Under Maintenance' };
  return { indicator: 'none', description: 'All Systems Operational' };
}

/** Our banner is Statuspage's, plus a grey state of its own for no_data. */
export type Banner = 'operational' | 'degraded' | 'partial' | 'major' | 'no_data' | 'maintenance';

export function bannerOf(states: SiteState[], statuses: ComponentStatus[]): Banner {
  const has = (s: ComponentStatus) => statuses.includes(s);
  if (has('major_outage')) return 'major';
  if (has('partial_outage')) return 'partial';
  if (has('degraded_performance')) return 'degraded';
  if (states.includes('no_data') || states.length === 0) return 'no_data';
  if (statuses.every((s) => s === 'under_maintenance')) return 'maintenance';
  return 'operational';
}

export const BANNER_WORDS: Record<Banner, string> = {
  operational: 'All systems operational',
  degraded: 'Degraded performance',
  partial: 'Partial outage',
  major: 'Major outage',
  no_data: 'Monitoring data stale: status unknown',
  maintenance: 'Under maintenance',
};

export const IMPACT: Record<Impact, Indicator> = {
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** Open and unacknowledged: investigating; acknowledged: identified; recovered: monitoring. */
export function incidentStatus(incident: Incident): IncidentStatus {
  if (incident.state === 'resolved') return 'resolved';
  if (incident.timeline.some((e) => e.kind === 'recovered')) return 'monitoring';
  if (incident.acknowledgedAt !== undefined) return 'identified';
  return 'investigating';
}
