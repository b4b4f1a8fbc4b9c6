/**
 * `freshprobe report`: the SLO summary and incident timelines of one site
 * over a period, as data (JSON) for tools and as Markdown for post-mortems.
 */
import type { Canary, Incident } from '../core/model.js';
import { primaryVantage, type SiteSpec } from '../core/site.js';
import {
  availabilityCount,
  countIn,
  errorBudget,
  freshnessEvents,
  type Sli,
  toSli,
} from '../core/slo.js';
import type { FullStore } from '../core/store.js';
import { hourOf } from '../core/time.js';
import { percentile } from '../http/slo-view.js';

export interface Report {
  site: { id: string; name: string; url: string; runbook?: string };
  generatedAt: number;
  from: number;
  slo: { thresholdMs: number; target: number; windowMs: number };
  freshness: Sli;
  availability: Sli;
  /** Over the SLO window ending now (not the report period). */
  errorBudgetRemaining?: number;
  latency: { p50Ms?: number; p95Ms?: number; maxMs?: number };
  canaries: {
    total: number;
    visible: number;
    timedOut: number;
    deployFailed: number;
    open: number;
  };
  incidents: Incident[];
}

function canaryCounts(canaries: Canary[]): Report['canaries'] {
  const count = (state: Canary['state']) => canaries.filter((c) => c.state === state).length;
  const closed = count('visible') + count('timed_out') + count('deploy_failed');
  return {
    total: canaries.length,
    visible: count('visible'),
    timedOut: count('timed_out'),
    deployFailed: count('deploy_failed'),
    open: canaries.length - closed,
  };
}

export async function buildReport(
  store: FullStore,
  spec: SiteSpec,
  now: number,
  periodMs: number,
): Promise<Report> {
  const from = now - periodMs;
  const windowFrom = now - spec.slo.window;
  const [canaries, windowCanaries, hours, incidents] = await Promise.all([
    store.canariesSince(spec.id, from),
    store.canariesSince(spec.id, windowFrom),
    store.hourlyVantage(spec.id, hourOf(from)),
    store.listIncidents({ siteId: spec.id, since: from, limit: 500 }),
  ]);
  const latencies = canaries
    .flatMap((c) => (c.latencyMs === undefined ? [] : [c.latencyMs]))
    .sort((a, b) => a - b);
  const budget = errorBudget(
    countIn(freshnessEvents(windowCanaries), windowFrom, now + 1),
    spec.slo.target,
  );
  return {
    site: {
      id: spec.id,
      name: spec.name,
      url: spec.url,
      ...(spec.runbook ? { runbook: spec.runbook } : {}),
    },
    generatedAt: now,
    from,
    slo: { thresholdMs: spec.slo.threshold, target: spec.slo.target, windowMs: spec.slo.window },
    freshness: toSli(countIn(freshnessEvents(canaries), from, now + 1)),
    availability: toSli(availabilityCount(hours, primaryVantage(spec), from)),
    ...(budget.remaining !== undefined ? { errorBudgetRemaining: budget.remaining } : {}),
    latency: {
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      maxMs: latencies.at(-1),
    },
    canaries: canaryCounts(canaries),
    incidents: [...incidents].reverse(),
  };
}
