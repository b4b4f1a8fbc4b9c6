/**
 * The words of an incident: a title that says what is wrong and where, and a
 * summary that says what it means and what to do (the 2017 post-mortem's
 * "nobody knew what to do"), ending with the runbook link.
 */
import type { Impact, IncidentCause, SiteState } from '../model.js';
import type { SiteSpec } from '../site.js';
import type { SiteStateSummary } from '../state.js';
import type { Condition } from './conditions.js';

export const CAUSE_HELP: Record<IncidentCause, string> = {
  stale:
    'The public is served older content than the newest deploy. Typical causes: a server still holding an old mount or release, a CDN object that was not purged, a deployment the host lost. Compare the named vantages with the origin; restart or resync the stale nodes, purge the CDN.',
  not_visible:
    'A deploy was accepted but its content never became visible. Check the host pipeline and the serving layer.',
  regression:
    'Content went backwards to an older release. A node was restored from an old state or a rollback ran.',
  missing:
    'The canary path answers 404/410. A server that listens before it has loaded its content answers 404; so does a deleted or misrouted site. Check the named vantages; if a restart just happened, wait for loading to finish.',
  error:
    'Probes fail: 5xx, timeouts, DNS, TLS or connection errors, bodies too large, redirect loops. The error class and message are on each vantage.',
  deploy_failing:
    'freshprobe could not publish its canary: the push or API call was refused. This is not stale content; fix credentials, branch protection or the failing hook (the host reason is quoted).',
  no_data:
    'freshprobe has not observed this site within twice the probe interval: the monitor itself is stale. Check that freshprobe runs and can reach the site.',
  slo_burn:
    'Canaries miss the freshness SLO fast enough to exhaust the error budget early. Look at recent canary latencies and the stale incidents behind them.',
};

function vantageList(vantages: string[], of: number): string {
  if (!vantages.length) return '';
  return `${vantages.length} of ${of} vantages (${vantages.join(', ')})`;
}

function minutes(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

export function incidentTitle(c: Condition, summary: SiteStateSummary, spec: SiteSpec): string {
  const where = vantageList(c.vantages, summary.vantages.length);
  switch (c.cause) {
    case 'stale':
      if (c.detail && !summary.vantages.some((v) => v.state === 'stale')) {
        return `${spec.name}: ${c.detail} not visible after ${minutes(spec.slo.threshold)}`;
      }
      return `${spec.name}: stale for ${minutes(summary.stalenessMs ?? 0)} on ${where}`;
    case 'missing':
      return `${spec.name}: 404 on ${where}`;
    case 'error':
      return `${spec.name}: errors on ${where}`;
    case 'deploy_failing':
      return `${spec.name}: deploys failing${c.detail ? `: ${c.detail.split('\n')[0]}` : ''}`;
    case 'no_data':
      return `${spec.name}: monitoring data stale`;
    case 'slo_burn':
      return `${spec.name}: freshness error budget burning (${c.detail ?? ''})`;
    default:
      return `${spec.name}: ${c.cause}`;
  }
}

export function incidentSummary(cause: IncidentCause, spec: SiteSpec): string {
  const runbook = spec.runbook ? ` Runbook: ${spec.runbook}` : '';
  return `${CAUSE_HELP[cause]}${runbook}`;
}

/** Statuspage-style impact (DESIGN.md section 3). */
export function impactOf(c: Condition, summary: SiteStateSummary, spec: SiteSpec): Impact {
  const all = c.vantages.length > 0 && c.vantages.length >= summary.vantages.length;
  if (c.cause === 'missing' || c.cause === 'error') return all ? 'major_outage' : 'partial_outage';
  if (c.cause === 'stale') {
    return (summary.stalenessMs ?? 0) > 2 * spec.slo.threshold
      ? 'partial_outage'
      : 'degraded_performance';
  }
  return 'degraded_performance';
}

/** The site state an alert message reports for a cause. */
export function stateOfCause(cause: IncidentCause, summary: SiteStateSummary): SiteState {
  const direct: Partial<Record<IncidentCause, SiteState>> = {
    stale: 'stale',
    missing: 'missing',
    error: 'error',
    deploy_failing: 'deploy_failing',
    no_data: 'no_data',
  };
  return direct[cause] ?? summary.state;
}
