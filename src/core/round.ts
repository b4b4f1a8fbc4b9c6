/**
 * One probe round: every prober of a site looks once, each result is judged,
 * vantage states and open canaries advance, and the round is stored.
 */
import type { CoreDeps } from './deps.js';
import { errorMessage } from './deps.js';
import { markerObservation } from './external.js';
import { judge, read } from './judge.js';
import type { Canary, Observation, ProbeResult, VantageStatus } from './model.js';
import type { Prober } from './ports.js';
import { applyObservation, settleCanary } from './progress.js';
import { primaryVantage, type SiteRuntime } from './site.js';
import { dayOf } from './time.js';

/** Probers bound their own phases; this only guards against one that never settles. */
const ROUND_GUARD_MS = 120_000;

async function runProber(prober: Prober, now: () => number): Promise<ProbeResult[]> {
  const startedAt = now();
  try {
    return await prober.probe(AbortSignal.timeout(ROUND_GUARD_MS));
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
 * Stores the observation only when it matters: inside a canary window, or when
 * the vantage's state changes. Identical "still fresh" probes between canaries
 * only refresh the vantage status (DESIGN.md section 4, storage budget).
 */
export async function recordRound(
  deps: CoreDeps,
  rt: SiteRuntime,
  observations: Observation[],
  inWindow: boolean,
) {
  const previous = new Map(
    (await deps.store.vantageStatuses(rt.spec.id)).map((v) => [v.vantage, v]),
  );
  for (const o of observations) {
    const prev = previous.get(o.vantage);
    if (inWindow || !prev || prev.state !== o.state) await deps.store.recordObservation(o);
    await deps.store.upsertVantageStatus(nextStatus(o, prev));
    await deps.store.countProbe(o);
    deps.log.info({
      event: 'probe.done',
      site: o.siteId,
      vantage: o.vantage,
      state: o.state,
      status: o.status,
      seqSeen: o.seqSeen,
      errorClass: o.errorClass,
      durationMs: o.durationMs,
    });
  }
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
async function forgetVanished(deps: CoreDeps, rt: SiteRuntime, observations: Observation[]) {
  const seen = new Set(observations.map((o) => o.vantage));
  for (const v of await deps.store.vantageStatuses(rt.spec.id)) {
    if (!seen.has(v.vantage) && isLocalVantage(v.vantage, rt)) {
      await deps.store.removeVantageStatus(rt.spec.id, v.vantage);
      deps.log.info({ event: 'vantage.removed', site: rt.spec.id, vantage: v.vantage });
    }
  }
}

export async function probeRound(
  deps: CoreDeps,
  rt: SiteRuntime,
  open: Canary[],
): Promise<Canary[]> {
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
  const facts = await roundFacts(deps, spec.id);
  const observations = await Promise.all(results.map((r) => observe(rt, r, facts)));
  await recordRound(deps, rt, observations, open.length > 0);
  await forgetVanished(deps, rt, observations);
  const settled = await settleAll(deps, rt, open, (c) =>
    c.kind === 'external' ? markerFor(c) : observations,
  );
  await deps.store.setProbeTimes(spec.id, {
    nextProbeAt: roundStart + spec.probe.interval,
    lastProbeAt: roundStart,
  });
  return settled;
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
    const advanced = settleCanary(observationsFor(canary).reduce(applyObservation, canary), rules);
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
