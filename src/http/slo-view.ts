/** The SLO part of `GET /api/v1/sites/:id`: SLIs, error budget, burn rates, latency percentiles. */

import { DEFAULT_ALERTS, primaryVantage, type SiteSpec } from '../core/site.js';
import {
  availabilityCount,
  countIn,
  errorBudget,
  evaluateBurn,
  freshnessEvents,
  toSli,
} from '../core/slo.js';
import type { FullStore, HourlyVantage, MonitorGap } from '../core/store.js';
import { HOUR_MS, hourOf } from '../core/time.js';

/** Nearest-rank percentile; undefined for no samples. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Hours the monitor was not (fully) watching are no data: they count neither up nor down. */
export function hoursOutsideGaps(hours: HourlyVantage[], gaps: MonitorGap[]): HourlyVantage[] {
  return hours.filter(
    (h) => !gaps.some((g) => g.startedAt < h.hour + HOUR_MS && g.endedAt > h.hour),
  );
}

export async function sloView(store: FullStore, spec: SiteSpec, now: number) {
  const alerts = spec.alerts ?? DEFAULT_ALERTS;
  const from = now - spec.slo.window;
  const longest = Math.max(spec.slo.window, ...alerts.burnRates.map((b) => b.long));
  const [canaries, hours, gaps] = await Promise.all([
    store.canariesSince(spec.id, now - longest),
    store.hourlyVantage(spec.id, hourOf(from)),
    store.listGaps(from, now),
  ]);
  const events = freshnessEvents(canaries);
  const freshness = countIn(events, from, now + 1);
  const latencies = canaries
    .filter((c) => c.latencyMs !== undefined && (c.deployedAt ?? 0) >= from)
    .map((c) => c.latencyMs!)
    .sort((a, b) => a - b);
  return {
    thresholdMs: spec.slo.threshold,
    target: spec.slo.target,
    windowMs: spec.slo.window,
    freshness: toSli(freshness),
    availability: toSli(
      availabilityCount(hoursOutsideGaps(hours, gaps), primaryVantage(spec), from),
    ),
    /** Where the monitor itself was not watching (left out of availability). */
    gaps,
    errorBudget: errorBudget(freshness, spec.slo.target),
    burnRates: evaluateBurn(events, now, spec.slo.target, alerts.burnRates, alerts.minEvents).map(
      (b) => ({
        factor: b.factor,
        longMs: b.long,
        shortMs: b.short,
        longBurn: b.longBurn,
        shortBurn: b.shortBurn,
        longEvents: b.longEvents,
        guarded: b.guarded,
        firing: b.firing,
      }),
    ),
    latency: {
      canaries: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
    },
  };
}
