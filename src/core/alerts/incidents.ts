/**
 * Incident records and the messages they send: opened with the context an
 * operator needs (deploy time, first stale time), resolved with recovery.
 */
import type { AlertMessage, Canary, Incident, IncidentEvent } from '../model.js';
import type { SiteSpec } from '../site.js';
import type { SiteStateSummary } from '../state.js';
import type { OutboxEntry } from '../store.js';
import type { Condition } from './conditions.js';
import { impactOf, incidentSummary, incidentTitle, stateOfCause } from './text.js';

export interface IncidentContext {
  spec: SiteSpec;
  summary: SiteStateSummary;
  /** Newest accepted canary, for "deploy at" and latency. */
  latest?: Canary;
  now: number;
  publicUrl?: string;
}

function contextEvents(c: Condition, ctx: IncidentContext): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  if (ctx.latest?.deployedAt !== undefined) {
    events.push({
      at: ctx.latest.deployedAt,
      kind: 'deploy',
      message: `canary #${ctx.latest.seq} deployed`,
    });
  }
  for (const v of ctx.summary.vantages) {
    if (c.cause === 'stale' && v.state === 'stale') {
      events.push({
        at: v.since,
        kind: 'first_stale',
        message: `${v.vantage} serves #${v.seqSeen ?? '?'}, stale`,
      });
    }
  }
  return events;
}

export function openIncident(c: Condition, ctx: IncidentContext): Incident {
  const title = incidentTitle(c, ctx.summary, ctx.spec);
  const timeline = [
    ...contextEvents(c, ctx),
    { at: ctx.now, kind: 'opened' as const, message: title },
  ];
  return {
    id: `${ctx.spec.id}:${c.cause}:${ctx.now}`,
    siteId: ctx.spec.id,
    cause: c.cause,
    state: 'open',
    impact: impactOf(c, ctx.summary, ctx.spec),
    openedAt: ctx.now,
    title,
    summary: incidentSummary(c.cause, ctx.spec),
    vantages: c.vantages,
    timeline: timeline.sort((a, b) => a.at - b.at),
  };
}

/** Keeps an open incident's title, impact and vantages current; notes changes in the timeline. */
export function refreshIncident(incident: Incident, c: Condition, ctx: IncidentContext): Incident {
  const title = incidentTitle(c, ctx.summary, ctx.spec);
  const sameVantages = incident.vantages.join() === c.vantages.join();
  if (sameVantages && incident.impact === impactOf(c, ctx.summary, ctx.spec)) return incident;
  return {
    ...incident,
    title,
    impact: impactOf(c, ctx.summary, ctx.spec),
    vantages: c.vantages,
    timeline: [...incident.timeline, { at: ctx.now, kind: 'update', message: title }],
  };
}

export function resolveIncident(incident: Incident, recoveredAt: number, now: number): Incident {
  return {
    ...incident,
    state: 'resolved',
    resolvedAt: now,
    timeline: [
      ...incident.timeline,
      { at: recoveredAt, kind: 'recovered', message: 'condition cleared' },
      { at: now, kind: 'resolved', message: 'resolved after the recovery threshold' },
    ],
  };
}

export function alertMessage(
  incident: Incident,
  kind: AlertMessage['kind'],
  ctx: IncidentContext,
): AlertMessage {
  const { spec, summary, latest } = ctx;
  return {
    kind,
    incidentId: incident.id,
    dedupKey: incident.id,
    site: { id: spec.id, name: spec.name, url: spec.url },
    state: kind === 'resolved' ? summary.state : stateOfCause(incident.cause, summary),
    cause: incident.cause,
    title: incident.title,
    summary: incident.summary,
    since: incident.openedAt,
    ...(summary.stalenessMs !== undefined ? { stalenessMs: summary.stalenessMs } : {}),
    vantages: incident.vantages,
    latency: {
      ...(latest?.latencyMs !== undefined ? { latencyMs: latest.latencyMs } : {}),
      ...(latest?.latencyBoundsMs ? { latencyBoundsMs: latest.latencyBoundsMs } : {}),
      thresholdMs: spec.slo.threshold,
    },
    ...(ctx.publicUrl
      ? { siteUrl: new URL(`/sites/${encodeURIComponent(spec.id)}`, ctx.publicUrl).toString() }
      : {}),
    ...(spec.runbook ? { runbook: spec.runbook } : {}),
    at: ctx.now,
  };
}

/** One outbox entry per notifier; the id makes a replayed enqueue a no-op. */
export function outboxEntries(
  message: AlertMessage,
  notifierIds: string[],
  n: number,
  now: number,
): OutboxEntry[] {
  return notifierIds.map((notifierId) => ({
    id: `${message.incidentId}:${message.kind}:${n}:${notifierId}`,
    notifierId,
    incidentId: message.incidentId,
    kind: message.kind,
    message,
    status: 'pending',
    attempts: 0,
    createdAt: now,
    nextAttemptAt: now,
  }));
}
