/**
 * Incidents for status page tests and the bench, shaped as the alert code
 * writes them: an opening, internal events (alert deliveries, notes) that
 * must never be published, and for resolved ones a recovery and a resolution.
 */
import type { Incident } from '../../src/core/model.js';
import type { SiteSpec } from '../../src/core/site.js';
import { MIN, NODE_VANTAGES } from './seed-history.js';

export function incidentFor(
  spec: SiteSpec,
  now: number,
  state: 'open' | 'resolved',
  openedAgoMs: number,
): Incident {
  const openedAt = now - openedAgoMs;
  return {
    id: `${spec.id}:stale:${openedAt}`,
    siteId: spec.id,
    cause: 'stale',
    state,
    impact: 'degraded_performance',
    openedAt,
    ...(state === 'resolved' ? { resolvedAt: openedAt + 40 * MIN } : {}),
    title: `Stale: 2 of 3 nodes serve old content on ${spec.name}`,
    summary: `Some nodes serve content older than the newest deploy. Runbook: ${spec.runbook ?? 'none'}`,
    vantages: NODE_VANTAGES.slice(1),
    timeline: [
      { at: openedAt, kind: 'opened', message: 'Stale at 2 of 3 nodes' },
      { at: openedAt + MIN, kind: 'alert_sent', message: 'sent to ops (internal)' },
      { at: openedAt + 2 * MIN, kind: 'note', message: 'internal note: paged Bob' },
      ...(state === 'resolved'
        ? [
            {
              at: openedAt + 30 * MIN,
              kind: 'recovered' as const,
              message: 'All nodes serve the newest canary',
            },
            {
              at: openedAt + 40 * MIN,
              kind: 'resolved' as const,
              message: 'Resolved after 40 min',
            },
          ]
        : []),
    ],
  };
}
