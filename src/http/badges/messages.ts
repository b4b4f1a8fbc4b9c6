/**
 * What each badge says (DESIGN.md section 6): `status` the site state,
 * `latency` the p95 deploy-to-visible latency over the SLO window, `freshness`
 * the SLI over that window, `age` how far behind the served content is.
 * No data is grey and says so; it never borrows a green.
 */
import { formatShortDuration, formatShortMs, percent } from '../format.js';
import type { SiteStats } from '../site-stats.js';
import type { SiteSnapshot } from '../status-data.js';
import type { BadgeContent, NamedColor } from './svg.js';

export const BADGE_KINDS = ['status', 'latency', 'freshness', 'age'] as const;
export type BadgeKind = (typeof BADGE_KINDS)[number];

/** Kinds whose message needs the site's canaries over the SLO window. */
export const NEEDS_STATS: ReadonlySet<BadgeKind> = new Set(['latency', 'freshness']);

export const BADGE_LABEL: Record<BadgeKind, string> = {
  status: 'status',
  latency: 'latency p95',
  freshness: 'freshness',
  age: 'content age',
};

export function unknownBadge(kind: BadgeKind): BadgeContent {
  return { label: BADGE_LABEL[kind], message: 'unknown', color: 'lightgrey' };
}

function partial(site: SiteSnapshot): string {
  const { vantages, of } = site.view.affected;
  return vantages.length < of ? ` ${vantages.length}/${of}` : '';
}

function statusBadge(site: SiteSnapshot): BadgeContent {
  const v = site.view;
  const label = BADGE_LABEL.status;
  const outage: NamedColor = site.component === 'partial_outage' ? 'orange' : 'yellow';
  switch (v.state) {
    case 'fresh':
      return { label, message: 'fresh', color: 'brightgreen' };
    case 'propagating':
      return { label, message: 'propagating', color: 'blue' };
    case 'stale': {
      const age = v.stalenessMs !== undefined ? ` ${formatShortDuration(v.stalenessMs)}` : '';
      return { label, message: `stale${age}${partial(site)}`, color: outage };
    }
    case 'missing':
      return { label, message: `404${partial(site)}`, color: 'red' };
    case 'error':
      return { label, message: `error${partial(site)}`, color: 'red' };
    case 'deploy_failing':
      return { label, message: 'deploy failing', color: 'yellow' };
    case 'no_data':
      return { label, message: 'no data', color: 'lightgrey' };
    case 'paused':
      return { label, message: 'paused', color: 'lightgrey' };
  }
}

function ageBadge(site: SiteSnapshot): BadgeContent {
  const v = site.view;
  const label = BADGE_LABEL.age;
  if (v.state === 'fresh') return { label, message: 'current', color: 'brightgreen' };
  if (v.state === 'stale' && v.stalenessMs !== undefined)
    return { label, message: `${formatShortDuration(v.stalenessMs)} behind`, color: 'orange' };
  if (v.state === 'no_data') return { label, message: 'unknown', color: 'lightgrey' };
  const status = statusBadge(site);
  return { ...status, label };
}

function latencyBadge(site: SiteSnapshot, stats: SiteStats): BadgeContent {
  const label = BADGE_LABEL.latency;
  const p95 = stats.p95Ms;
  const threshold = site.spec.slo.threshold;
  if (p95 === undefined) return { label, message: 'no data', color: 'lightgrey' };
  if (!Number.isFinite(p95))
    return { label, message: `> ${formatShortDuration(site.spec.timeout)}`, color: 'red' };
  const color: NamedColor =
    p95 <= threshold ? 'brightgreen' : p95 <= 2 * threshold ? 'yellow' : 'red';
  return { label, message: formatShortMs(p95), color };
}

function freshnessBadge(site: SiteSnapshot, stats: SiteStats): BadgeContent {
  const label = `${BADGE_LABEL.freshness} ${formatShortDuration(stats.windowMs)}`;
  const ratio = stats.sli.ratio;
  if (ratio === undefined) return { label, message: 'no data', color: 'lightgrey' };
  const target = site.spec.slo.target;
  // Within twice the error budget is a warning, beyond it a failure.
  const color: NamedColor =
    ratio >= target ? 'brightgreen' : ratio >= 1 - 2 * (1 - target) ? 'yellow' : 'red';
  return { label, message: percent(ratio, 2), color };
}

export function badgeContent(kind: BadgeKind, site: SiteSnapshot, stats?: SiteStats): BadgeContent {
  switch (kind) {
    case 'status':
      return statusBadge(site);
    case 'age':
      return ageBadge(site);
    case 'latency':
      return stats ? latencyBadge(site, stats) : unknownBadge(kind);
    case 'freshness':
      return stats ? freshnessBadge(site, stats) : unknownBadge(kind);
  }
}
