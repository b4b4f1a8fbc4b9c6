/**
 * Site state from vantage states: worst wins, partial staleness is kept as
 * "k of N", and a silent monitor reads as no_data, never as green.
 */
import type { Canary, SiteState, VantageStatus } from './model.js';

/** Severity order; higher is worse. Known problems outrank unknowns. */
const SEVERITY: Record<SiteState, number> = {
  paused: -1,
  fresh: 0,
  propagating: 1,
  no_data: 2,
  deploy_failing: 3,
  stale: 4,
  error: 5,
  missing: 6,
};

export function worse(a: SiteState, b: SiteState): SiteState {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** A vantage with no observation within 2x the probe interval is no_data. */
export const NO_DATA_FACTOR = 2;

export function effectiveVantage(v: VantageStatus, now: number, intervalMs: number): VantageStatus {
  const silentFor = now - v.lastObservedAt;
  if (silentFor <= NO_DATA_FACTOR * intervalMs) return v;
  return { ...v, state: 'no_data', since: v.lastObservedAt };
}

export interface SiteStateInput {
  now: number;
  intervalMs: number;
  paused: boolean;
  vantages: VantageStatus[];
  /** The newest canary, whatever its state. */
  latest?: Canary;
}

export interface SiteStateSummary {
  state: SiteState;
  since: number;
  vantages: VantageStatus[];
  /** Vantages in the site's state, e.g. 1 of 5 nodes stale. */
  affected: string[];
  stalenessMs?: number;
}

export function summarizeSite(input: SiteStateInput): SiteStateSummary {
  const vantages = input.vantages.map((v) => effectiveVantage(v, input.now, input.intervalMs));
  if (input.paused) return { state: 'paused', since: input.now, vantages, affected: [] };
  let state: SiteState = vantages.length ? 'fresh' : 'no_data';
  for (const v of vantages) state = worse(state, v.state);
  const failing = input.latest?.state === 'deploy_failed';
  if (failing) state = worse(state, 'deploy_failing');
  const affected = vantages.filter((v) => v.state === state).map((v) => v.vantage);
  const since = sinceOf(state, vantages, input, failing);
  const stale = vantages.filter((v) => v.state === 'stale').map((v) => v.stalenessMs ?? 0);
  return {
    state,
    since,
    vantages,
    affected,
    ...(stale.length ? { stalenessMs: Math.max(...stale) } : {}),
  };
}

function sinceOf(
  state: SiteState,
  vantages: VantageStatus[],
  input: SiteStateInput,
  failing: boolean,
): number {
  if (state === 'deploy_failing' && failing)
    return input.latest!.closedAt ?? input.latest!.intentAt;
  const inState = vantages.filter((v) => v.state === state).map((v) => v.since);
  // Fresh means every vantage is fresh: the site got there when the last one did. A bad state
  // began when the first vantage entered it.
  if (inState.length) return state === 'fresh' ? Math.max(...inState) : Math.min(...inState);
  return input.latest?.intentAt ?? input.now;
}
