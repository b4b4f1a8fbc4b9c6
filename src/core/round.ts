/**
 * One probe round: every prober of a site looks once, each result is judged,
 * vantage states and open canaries advance, and the round is stored.
 */
import type { CoreDeps } from './deps.js';
import { errorMessage } from './deps.js';
import { markerObservation } from './external.js';
import { judge, read } from './judge.js';
import { keepObservation } from './keep.js';
import type { Canary, Observation, ProbeResult, VantageStatus } from './model.js';
import type { Prober } from './ports.js';
import { applyObservation, settleCanary } from './progress.js';
import { primaryVantage, type SiteRuntime } from './site.js';
import { dayOf, nextSteadyProbe } from './time.js';

/** Probers bound their own phases; this only guards against one that never settles. */
const ROUND_GUARD_MS = 120_000;

async function runProber(prober: Prober, now: () => number): Promise<ProbeResult[]> {
  const startedAt = now();
  // Not AbortSignal.timeout: its timer cannot be cleared, so at 2,000 probes a second about
  // 240,000 of them would wait out the guard, all promoted to the old heap for the GC to mark.
  const guard = new AbortController();
  const timer = setTimeout(
    () => guard.abort(new DOMException('probe round guard', 'TimeoutError')),
    ROUND_GUARD_MS,
  );
  try {
    return await prober.probe(guard.signal);
  } catch (error) {
    // A prober bug must not take the site down with it: record it as an observation.
    return [
      {
        vantage: prober.kind,
        startedAt,
        durationMs: now() - startedAt,
        cache: {},
        error: { class: 'protocol', message: `prober failed: ${errorMessage(error)}` },
      },
    ];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What every result of one round is judged against, read once per round: the
 * newest accepted canary, whether any canary was ever seen, and (memoized by
 * seq, since a round's results mostly serve the same canary) the served
 * canary and the first one newer than it.
 */
export interface RoundFacts {
  newest?: Canary;
  everVisible: boolean;
  lookup(seq: number): Promise<[served: Canary | undefined, firstNewer: Canary | undefined]>;
}

export async function roundFacts(deps: CoreDeps, siteId: string): Promise<RoundFacts> {
  const [newest, everVisible] = await Promise.all([
    deps.store.latestAcceptedCanary(siteId),
    deps.store.hasVisibleCanary(siteId),
  ]);
  const seen = new Map<number, Promise<[Canary | undefined, Canary | undefined]>>();
  const lookup = (seq: number) => {
    let found = seen.get(seq);
    if (!found) {
      found = Promise.all([
        deps.store.getCanary(siteId, seq),
        deps.store.firstAcceptedAfter(siteId, seq),
      ]);
      seen.set(seq, found);
    }
    return found;
  };
  return { newest, everVisible, lookup };
}

/** Judges a result against the round's facts. */
export async function observe(rt: SiteRuntime, result: ProbeResult, facts: RoundFacts) {
  const siteId = rt.spec.id;
  const reading = read(result, siteId);
  const [served, firstNewer] =
    reading.kind === 'marker' ? await facts.lookup(reading.marker.seq) : [undefined, undefined];
  return judge(result, reading, {
    siteId,
    now: result.startedAt + result.durationMs,
    thresholdMs: rt.spec.slo.threshold,
    newest: facts.newest,
    served,
    firstNewer,
    everVisible: facts.everVisible,
  });
}

function nextStatus(o: Observation, prev: VantageStatus | undefined): VantageStatus {
  return {
    siteId: o.siteId,
    vantage: o.vantage,
    state: o.state,
    since: prev && prev.state === o.state ? prev.since : o.startedAt,
    // The end of the probe: a slow (timing-out) probe is still a recent observation.
    lastObservedAt: o.startedAt + o.durationMs,
    seqSeen: o.seqSeen,
    status: o.status,
    errorClass: o.errorClass,
    errorMessage: o.errorMessage,
    stalenessMs: o.stalenessMs,
  };
}

/**
 * Stores the observation only when it carries information (keep.ts): a change
 * at the vantage, a canary's first hit, an error inside a canary window. Every
 * probe refreshes the vantage status and the hourly counts (DESIGN.md section 4).
 */
export async function recordRound(
  deps: CoreDeps,
  rt: SiteRuntime,
  observations: Observation[],
  inWindow: boolean,
  before?: VantageStatus[],
): Promise<VantageStatus[]> {
  const previous = new Map(
    (before ?? (await deps.store.vantageStatuses(rt.spec.id))).map((v) => [v.vantage, v]),
  );
  const after = new Map(previous);
  for (const o of observations) {
    const prev = after.get(o.vantage);
    const kept = keepObservation(o, prev, inWindow);
    if (kept) await deps.store.recordObservation(o);
    const status = nextStatus(o, prev);
    await deps.store.upsertVantageStatus(status);
    after.set(o.vantage, status);
    await deps.store.countProbe(o);
    logProbe(deps, o, prev, kept);
  }
  return [...after.values()];
}

/**
 * `probe.done` at info for the probes that say something new (the ones kept as rows), at
 * debug for the identical repeats: at a thousand sites polled every second a line per probe
 * was a third of the monitor's CPU. Metrics count every probe either way.
 */
function logProbe(deps: CoreDeps, o: Observation, prev: VantageStatus | undefined, kept: boolean) {
  const line = {
    event: 'probe.done',
    site: o.siteId,
    vantage: o.vantage,
    state: o.state,
    ...(prev && prev.state !== o.state ? { from: prev.state } : {}),
    status: o.status,
    seqSeen: o.seqSeen,
    errorClass: o.errorClass,
    durationMs: o.durationMs,
  };
  if (kept) deps.log.info(line);
  else deps.log.debug?.(line);
}

/** Marker probes, only while external deploys are open; judged per deploy. */
async function externalRound(deps: CoreDeps, rt: SiteRuntime, open: Canary[]) {
  const external = open.filter((c) => c.kind === 'external');
  const marker = rt.spec.marker;
  if (!external.length || !marker || !rt.markerProbers?.length) return () => [];
  const now = () => deps.clock.now();
  const results = (await Promise.all(rt.markerProbers.map((p) => runProber(p, now)))).flat();
  return (c: Canary) => results.map((r) => markerObservation(r, marker, c, external));
}

/** Vantages the local probers produce: their kinds, and one `node:<ip>` per fleet node. */
function isLocalVantage(name: string, rt: SiteRuntime): boolean {
  return (
    name.startsWith('node:') ||
    rt.probers.some((p) => p.kind === name) ||
    ['edge', 'origin', 'nodes', 'browser'].includes(name)
  );
}

/**
 * A node that left DNS, or a vantage removed from the config, must not stay
 * behind as a status that turns no_data forever: after a full local round,
 * local vantages that produced nothing are forgotten. Remote (agent) vantages
 * keep their own lifecycle.
 */
async function forgetVanished(
  deps: CoreDeps,
  rt: SiteRuntime,
  observations: Observation[],
  statuses: VantageStatus[],
): Promise<VantageStatus[]> {
  const seen = new Set(observations.map((o) => o.vantage));
  const kept: VantageStatus[] = [];
  for (const v of statuses) {
    if (!seen.has(v.vantage) && isLocalVantage(v.vantage, rt)) {
      await deps.store.removeVantageStatus(rt.spec.id, v.vantage);
      deps.log.info({ event: 'vantage.removed', site: rt.spec.id, vantage: v.vantage });
    } else kept.push(v);
  }
  return kept;
}

/** What a probe round leaves behind: the open canaries and every vantage's status. */
export interface RoundOutcome {
  open: Canary[];
  statuses: VantageStatus[];
}

export async function probeRound(
  deps: CoreDeps,
  rt: SiteRuntime,
  open: Canary[],
): Promise<RoundOutcome> {
  const { spec } = rt;
  const roundStart = deps.clock.now();
  const now = () => deps.clock.now();
  const [results, markerFor] = await Promise.all([
    Promise.all(rt.probers.map((p) => runProber(p, now))).then((r) => r.flat()),
    externalRound(deps, rt, open),
  ]);
  // Failure evidence (browser vantage): kept beside the observations, not in them.
  for (const { screenshot: png, vantage, startedAt } of results)
    if (png) await deps.store.saveScreenshot(spec.id, vantage, startedAt, png);
  const [facts, before] = await Promise.all([
    roundFacts(deps, spec.id),
    deps.store.vantageStatuses(spec.id),
  ]);
  const observations = await Promise.all(results.map((r) => observe(rt, r, facts)));
  const recorded = await recordRound(deps, rt, observations, open.length > 0, before);
  const statuses = await forgetVanished(deps, rt, observations, recorded);
  const settled = await settleAll(deps, rt, open, (c) =>
    c.kind === 'external' ? markerFor(c) : observations,
  );
  await deps.store.setProbeTimes(spec.id, {
    nextProbeAt: nextSteadyProbe(spec.id, roundStart, spec.probe.interval),
    lastProbeAt: roundStart,
  });
  return { open: settled, statuses };
}

/** Advances open canaries with this round's observations (per canary); persists those that changed. */
export async function settleAll(
  deps: CoreDeps,
  rt: SiteRuntime,
  open: Canary[],
  observationsFor: (canary: Canary) => Observation[] = () => [],
): Promise<Canary[]> {
  const { spec } = rt;
  const rules = {
    now: deps.clock.now(),
    primary: primaryVantage(spec),
    thresholdMs: spec.slo.threshold,
    timeoutMs: spec.timeout,
    steadyIntervalMs: spec.probe.interval,
  };
  const out: Canary[] = [];
  for (const held of open) {
    // Re-read: a remote vantage (ingest.ts) may have written it while this round probed.
    const canary = (await deps.store.getCanary(held.siteId, held.seq)) ?? held;
    const seen = observationsFor(canary);
    let advanced = settleCanary(seen.reduce(applyObservation, canary), rules);
    // Without a probe (a step that only checks timeouts) a poll still ahead stays where it
    // was; rescheduling it from now would postpone it by a whole poll interval. One already
    // overdue (a round that yielded nothing) is rescheduled from now, as before.
    const pending = canary.nextProbeAt;
    if (!seen.length && advanced.state === 'propagating' && pending && pending > rules.now)
      advanced = { ...advanced, nextProbeAt: pending };
    if (JSON.stringify(advanced) !== JSON.stringify(canary))
      await deps.store.updateCanary(advanced);
    // The daily bar counts verdicts: recount the canary's day when its SLO verdict or state changes.
    if (advanced.withinSlo !== canary.withinSlo || advanced.state !== canary.state) {
      await deps.store.recomputeDay(advanced.siteId, dayOf(advanced.intentAt));
    }
    if (advanced.state !== canary.state) logVerdict(deps, advanced);
    out.push(advanced);
  }
  return out;
}

export function logVerdict(deps: CoreDeps, c: Canary): void {
  const event = c.state === 'visible' ? 'canary.visible' : `canary.${c.state}`;
  deps.log.info({
    event,
    site: c.siteId,
    seq: c.seq,
    latencyMs: c.latencyMs,
    latencyBoundsMs: c.latencyBoundsMs,
    withinSlo: c.withinSlo,
  });
}
