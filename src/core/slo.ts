/**
 * SLO arithmetic, pure. Events are judged canaries (good = visible at the edge
 * within the threshold, censored at it) or probe counts. Windows with no
 * events have no SLI at all: no data is never read as 100%.
 */
import type { Canary } from './model.js';
import type { CanaryVerdict, HourlyVantage } from './store.js';

export interface SliCount {
  good: number;
  total: number;
}

/** `ratio` is undefined when there were no events: no data, not perfect. */
export interface Sli extends SliCount {
  ratio?: number;
}

export function toSli(count: SliCount): Sli {
  return count.total > 0 ? { ...count, ratio: count.good / count.total } : { ...count };
}

export interface SloEvent {
  at: number;
  good: boolean;
}

/** What a verdict is read from: a canary, or its row (where absent values are null). */
export interface VerdictFields {
  seq: number;
  intentAt: number;
  deployedAt?: number | null;
  withinSlo?: boolean | null;
}

/**
 * A canary's SLO verdict as an event at its deploy time (its intent time if never deployed);
 * undefined until it is judged. Deploy failures are never judged, so they are not freshness
 * events. The one definition for the SLO pages, the report and burn-rate alerting.
 */
export function verdictOf(c: VerdictFields): CanaryVerdict | undefined {
  if (c.withinSlo === undefined || c.withinSlo === null) return undefined;
  return { seq: c.seq, intentAt: c.intentAt, at: c.deployedAt ?? c.intentAt, good: c.withinSlo };
}

/** Canaries whose SLO verdict is known, as events at their deploy time. */
export function freshnessEvents(canaries: Canary[]): SloEvent[] {
  return canaries.flatMap((c) => {
    const v = verdictOf(c);
    return v ? [{ at: v.at, good: v.good }] : [];
  });
}

export function countIn(events: readonly SloEvent[], from: number, to: number): SliCount {
  let good = 0;
  let total = 0;
  for (const e of events) {
    if (e.at < from || e.at >= to) continue;
    total++;
    if (e.good) good++;
  }
  return { good, total };
}

/** Availability: probes that were neither missing nor error, over all probes of the vantage. */
export function availabilityCount(hours: HourlyVantage[], vantage: string, from: number): SliCount {
  let good = 0;
  let total = 0;
  for (const h of hours) {
    if (h.vantage !== vantage || h.hour < from) continue;
    total += h.total;
    good += h.total - h.missing - h.error;
  }
  return { good, total };
}

/** How fast the error budget burns: 1 = exactly on budget over the window. Undefined without events. */
export function burnRate(count: SliCount, target: number): number | undefined {
  if (count.total === 0) return undefined;
  return (count.total - count.good) / count.total / (1 - target);
}

export interface ErrorBudget {
  /** Bad events the target allows over the window so far. */
  allowedBad: number;
  bad: number;
  /** 1 = untouched, 0 = spent, negative = overspent; undefined without events. */
  remaining?: number;
}

export function errorBudget(count: SliCount, target: number): ErrorBudget {
  const allowedBad = count.total * (1 - target);
  const bad = count.total - count.good;
  if (count.total === 0) return { allowedBad, bad };
  return {
    allowedBad,
    bad,
    remaining: allowedBad > 0 ? 1 - bad / allowedBad : bad === 0 ? 1 : -Infinity,
  };
}

export interface BurnWindow {
  factor: number;
  /** ms */
  long: number;
  /** ms */
  short: number;
}

export interface BurnVerdict extends BurnWindow {
  longBurn?: number;
  shortBurn?: number;
  longEvents: number;
  /** Too few events in the long window to judge: never fires. */
  guarded: boolean;
  firing: boolean;
}

/**
 * Multiwindow, multi-burn-rate (SRE Workbook): fires when both the long and
 * the short window burn at least `factor`, and the long window holds at
 * least `minEvents` events, because one bad canary out of two is not a trend.
 */
export function evaluateBurn(
  events: readonly SloEvent[],
  now: number,
  target: number,
  windows: BurnWindow[],
  minEvents: number,
): BurnVerdict[] {
  return windows.map((w) => {
    const long = countIn(events, now - w.long, now + 1);
    const short = countIn(events, now - w.short, now + 1);
    const longBurn = burnRate(long, target);
    const shortBurn = burnRate(short, target);
    const guarded = long.total < minEvents;
    const firing = !guarded && (longBurn ?? 0) >= w.factor && (shortBurn ?? 0) >= w.factor;
    return { ...w, longBurn, shortBurn, longEvents: long.total, guarded, firing };
  });
}
