/**
 * Latency percentiles and the freshness SLI of one site, from its canaries.
 * A timed-out canary counts as slower than anything measured (censored), so
 * a p95 never looks better than it is; deploy failures are not freshness events.
 */
import type { Canary } from '../core/model.js';
import { countIn, freshnessEvents, type Sli, toSli } from '../core/slo.js';
import { DAY_MS, dayOf } from '../core/time.js';
import { percentile } from './format.js';

export interface SiteStats {
  /** Over the SLO window; Infinity = beyond the timeout (censored). */
  p50Ms?: number;
  p95Ms?: number;
  /** Canaries with a final latency verdict (visible or timed out). */
  judged: number;
  sli: Sli;
  windowMs: number;
}

function sortedLatencies(canaries: Canary[]): number[] {
  const out: number[] = [];
  for (const c of canaries) {
    if (c.state === 'visible' && c.latencyMs !== undefined) out.push(c.latencyMs);
    else if (c.state === 'timed_out') out.push(Number.POSITIVE_INFINITY);
  }
  return out.sort((a, b) => a - b);
}

export function siteStats(canaries: Canary[], now: number, windowMs: number): SiteStats {
  const inWindow = canaries.filter((c) => (c.deployedAt ?? c.intentAt) >= now - windowMs);
  const latencies = sortedLatencies(inWindow);
  return {
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    judged: latencies.length,
    sli: toSli(countIn(freshnessEvents(inWindow), now - windowMs, now + 1)),
    windowMs,
  };
}

/** One canary on the chart: latency with its bound, or censored at the timeout. */
export interface ChartPoint {
  seq: number;
  x: number;
  y: number;
  lo: number;
  hi: number;
  /** visible within SLO, visible late, or timed out (drawn at the timeout). */
  kind: 'ok' | 'late' | 'timeout';
}

export interface ChartData {
  points: ChartPoint[];
  /** Rolling percentiles over the preceding day, at each measured canary. */
  p50: Array<{ x: number; y: number }>;
  p95: Array<{ x: number; y: number }>;
  thresholdMs: number;
  timeoutMs: number;
}

export const ROLLING_MS = DAY_MS;

export function chartData(canaries: Canary[], thresholdMs: number, timeoutMs: number): ChartData {
  const points: ChartPoint[] = [];
  for (const c of canaries) {
    if (c.deployedAt === undefined) continue;
    if (c.state === 'visible' && c.latencyMs !== undefined) {
      const [lo, hi] = c.latencyBoundsMs ?? [c.latencyMs, c.latencyMs];
      const kind = c.withinSlo === false ? 'late' : 'ok';
      points.push({ seq: c.seq, x: c.deployedAt, y: c.latencyMs, lo, hi, kind });
    } else if (c.state === 'timed_out') {
      points.push({
        seq: c.seq,
        x: c.deployedAt,
        y: timeoutMs,
        lo: timeoutMs,
        hi: timeoutMs,
        kind: 'timeout',
      });
    }
  }
  points.sort((a, b) => a.x - b.x);
  const p50: ChartData['p50'] = [];
  const p95: ChartData['p95'] = [];
  let start = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    while (points[start]!.x < p.x - ROLLING_MS) start++;
    const window = points
      .slice(start, i + 1)
      .map((q) => (q.kind === 'timeout' ? Number.POSITIVE_INFINITY : q.y));
    window.sort((a, b) => a - b);
    const at50 = percentile(window, 50)!;
    const at95 = percentile(window, 95)!;
    // A censored percentile is drawn at the timeout line: it is at least that.
    p50.push({ x: p.x, y: Number.isFinite(at50) ? at50 : timeoutMs });
    p95.push({ x: p.x, y: Number.isFinite(at95) ? at95 : timeoutMs });
  }
  return { points, p50, p95, thresholdMs, timeoutMs };
}

export interface DayLatency {
  day: number;
  measured: number;
  timedOut: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

/** The chart's table alternative: one row per UTC day, newest first. */
export function latencyByDay(points: ChartPoint[]): DayLatency[] {
  const days = new Map<number, ChartPoint[]>();
  for (const p of points) {
    const d = dayOf(p.x);
    const list = days.get(d) ?? [];
    list.push(p);
    days.set(d, list);
  }
  return [...days.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([day, list]) => {
      const lat = list
        .map((p) => (p.kind === 'timeout' ? Number.POSITIVE_INFINITY : p.y))
        .sort((a, b) => a - b);
      return {
        day,
        measured: list.filter((p) => p.kind !== 'timeout').length,
        timedOut: list.filter((p) => p.kind === 'timeout').length,
        p50Ms: percentile(lat, 50),
        p95Ms: percentile(lat, 95),
        maxMs: lat[lat.length - 1],
      };
    });
}
