/**
 * How an open canary advances: each observation moves its per-vantage
 * last-miss / first-hit, which give every latency its error bound.
 */
import type { Canary, CanaryVantage, Observation } from './model.js';
import { nextSteadyProbe } from './time.js';

/**
 * Polls every 0.8 s at first (so the bound stays under 1.5 s even when a busy
 * machine slows probes), then every 10% of the time since the deploy, up to the
 * steady interval.
 */
export const FIRST_POLL_MS = 800;
export const POLL_BACKOFF_FRACTION = 0.1;

export function pollIntervalMs(elapsedMs: number, steadyMs: number): number {
  return Math.min(steadyMs, Math.max(FIRST_POLL_MS, Math.round(elapsedMs * POLL_BACKOFF_FRACTION)));
}

/** Content answered, but not this canary (an older marker, or the file not there yet). */
function isMiss(o: Observation): boolean {
  return o.state === 'missing' || o.state === 'propagating' || o.state === 'stale';
}

function isHit(o: Observation, seq: number): boolean {
  return o.state !== 'error' && o.seqSeen !== undefined && o.seqSeen >= seq;
}

/** Folds one observation into the canary's vantage progress. Errors prove nothing either way. */
export function applyObservation(canary: Canary, o: Observation): Canary {
  if (canary.state !== 'propagating') return canary;
  const prev: CanaryVantage = canary.vantages[o.vantage] ?? { vantage: o.vantage };
  if (prev.visibleAt !== undefined) return canary;
  let next: CanaryVantage | undefined;
  if (isHit(o, canary.seq)) next = { ...prev, visibleAt: o.startedAt + o.durationMs };
  else if (isMiss(o)) next = { ...prev, lastMissAt: Math.max(prev.lastMissAt ?? 0, o.startedAt) };
  if (!next) return canary;
  return { ...canary, vantages: { ...canary.vantages, [o.vantage]: next } };
}

export interface Latency {
  latencyMs: number;
  /** [lower, upper]: the true deploy-to-visible time lies inside. */
  latencyBoundsMs: [number, number];
}

/**
 * Visibility happened after the last miss started and before the first hit
 * ended; acceptance happened between deployStartedAt and deployedAt.
 * The bound covers both uncertainties.
 */
export function vantageLatency(canary: Canary, v: CanaryVantage | undefined): Latency | undefined {
  if (!v?.visibleAt || canary.deployedAt === undefined) return undefined;
  const acceptedAt = canary.deployedAt;
  const sentAt = canary.deployStartedAt ?? acceptedAt;
  const latencyMs = Math.max(0, v.visibleAt - acceptedAt);
  const lower = Math.max(0, (v.lastMissAt ?? acceptedAt) - acceptedAt);
  const upper = Math.max(latencyMs, v.visibleAt - sentAt);
  return { latencyMs, latencyBoundsMs: [Math.min(lower, latencyMs), upper] };
}

export interface CloseRules {
  now: number;
  primary: string;
  thresholdMs: number;
  timeoutMs: number;
  steadyIntervalMs: number;
}

/** Updates the canary's verdict fields after a round: latency, SLO, visible/timed out, next poll. */
export function settleCanary(canary: Canary, rules: CloseRules): Canary {
  if (canary.state !== 'propagating' || canary.deployedAt === undefined) return canary;
  const elapsed = rules.now - canary.deployedAt;
  const primary = vantageLatency(canary, canary.vantages[rules.primary]);
  let next: Canary = { ...canary };
  if (primary) {
    next.visibleAt = canary.vantages[rules.primary]!.visibleAt;
    next.latencyMs = primary.latencyMs;
    next.latencyBoundsMs = primary.latencyBoundsMs;
    next.withinSlo = primary.latencyMs <= rules.thresholdMs;
  } else if (elapsed > rules.thresholdMs) {
    // Censoring: the canary is bad as soon as the threshold passes unseen.
    next.withinSlo = false;
  }
  const answered = Object.values(canary.vantages);
  if (primary && answered.every((v) => v.visibleAt !== undefined)) {
    next = { ...next, state: 'visible', closedAt: rules.now, nextProbeAt: undefined };
  } else if (elapsed >= rules.timeoutMs) {
    next = { ...next, state: 'timed_out', closedAt: rules.now, nextProbeAt: undefined };
  } else {
    const poll = pollIntervalMs(elapsed, rules.steadyIntervalMs);
    // At the steady interval the poll joins the site's grid (time.ts), so canaries deployed
    // together stop polling together; the backing-off polls before it keep their spacing.
    next.nextProbeAt =
      poll < rules.steadyIntervalMs
        ? rules.now + poll
        : nextSteadyProbe(canary.siteId, rules.now, rules.steadyIntervalMs);
  }
  return next;
}
