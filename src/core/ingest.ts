/**
 * Results probed somewhere else (a remote agent), judged and stored exactly
 * like a local round: the same judge, the same storage rules, folded into
 * open canaries so a remote vantage gets its own latency with its bound.
 *
 * Two things differ from a local round, both on purpose:
 * - a remote post never moves a canary's `nextProbeAt`: that schedule belongs
 *   to the local probers, and agents posting every second must not starve it;
 * - a canary the local vantages already closed as visible still learns when
 *   a remote vantage saw it (until its timeout), so a slow region's latency
 *   is not lost because the edge was fast.
 */
import type { CoreDeps } from './deps.js';
import type { Canary, Observation, ProbeResult } from './model.js';
import { applyObservation, pollIntervalMs, settleCanary } from './progress.js';
import { logVerdict, observe, recordRound, roundFacts } from './round.js';
import { primaryVantage, type SiteRuntime } from './site.js';

/** Canaries a remote vantage may still report on: the newest few of the site. */
const RECENT = 5;

/** Judges and stores remote results for one site; returns the observations, oldest first. */
export async function ingestRemoteResults(
  deps: CoreDeps,
  rt: SiteRuntime,
  results: ProbeResult[],
): Promise<Observation[]> {
  const siteId = rt.spec.id;
  const sorted = [...results].sort((a, b) => a.startedAt - b.startedAt);
  const facts = await roundFacts(deps, siteId);
  const observations: Observation[] = [];
  for (const r of sorted) observations.push(await observe(rt, r, facts));
  // Read late, right before writing: the local step may have moved these canaries meanwhile.
  const recent = await deps.store.listCanaries(siteId, { limit: RECENT });
  const open = recent.filter((c) => c.state === 'propagating' && c.kind !== 'external');
  await recordRound(deps, rt, observations, open.length > 0);
  for (const canary of recent.filter((c) => c.kind !== 'external')) {
    const next = advance(deps, rt, canary, observations);
    if (JSON.stringify(next) === JSON.stringify(canary)) continue;
    await deps.store.updateCanary(next);
    if (next.state !== canary.state) logVerdict(deps, next);
  }
  return observations;
}

function advance(deps: CoreDeps, rt: SiteRuntime, c: Canary, observations: Observation[]): Canary {
  if (c.state === 'propagating') {
    const settled = settleCanary(observations.reduce(applyObservation, c), {
      now: deps.clock.now(),
      primary: primaryVantage(rt.spec),
      thresholdMs: rt.spec.slo.threshold,
      timeoutMs: rt.spec.timeout,
      steadyIntervalMs: rt.spec.probe.interval,
    });
    return settled.state === 'propagating' ? { ...settled, nextProbeAt: c.nextProbeAt } : settled;
  }
  if (!stillWatched(c, rt, deps.clock.now())) return c;
  // Folded as if still propagating; the verdict (state, latency, closedAt) stays the local one.
  const folded = observations
    .filter((o) => c.vantages[o.vantage]?.visibleAt === undefined)
    .reduce(applyObservation, { ...c, state: 'propagating' as const });
  return { ...c, vantages: folded.vantages };
}

/** A visible canary inside its timeout: remote vantages may still report seeing it. */
function stillWatched(c: Canary, rt: SiteRuntime, now: number): boolean {
  return (
    c.state === 'visible' && c.deployedAt !== undefined && now < c.deployedAt + rt.spec.timeout
  );
}

/**
 * How soon a remote vantage should probe the site again: adaptively (about
 * 1 s at first, backing off) while a recent canary is unseen from there,
 * else the steady interval.
 */
export async function remotePollMs(
  deps: CoreDeps,
  rt: SiteRuntime,
  vantage: string,
): Promise<number> {
  const now = deps.clock.now();
  const recent = await deps.store.listCanaries(rt.spec.id, { limit: RECENT });
  const unseen = recent.filter(
    (c) =>
      c.kind !== 'external' &&
      c.deployedAt !== undefined &&
      (c.state === 'propagating' || stillWatched(c, rt, now)) &&
      c.vantages[vantage]?.visibleAt === undefined,
  );
  const deployedAt = Math.max(...unseen.map((c) => c.deployedAt!));
  if (!unseen.length) return rt.spec.probe.interval;
  return pollIntervalMs(now - deployedAt, rt.spec.probe.interval);
}
