/**
 * Fills a store with history for status page tests and the bench: 90 days of
 * canaries per site (through the Store, as the monitor writes them), daily
 * aggregates via recomputeDay, current vantage statuses for a chosen state,
 * and incidents. Deterministic: a seeded generator, times relative to `now`.
 */
import type { Canary, SiteState, VantageStatus } from '../../src/core/model.js';
import type { SiteSpec } from '../../src/core/site.js';
import type { FullStore } from '../../src/core/store.js';
import { DAY_MS, dayOf } from '../../src/core/time.js';

export const MIN = 60_000;

/** What the site looks like now. */
export type Scenario = 'fresh' | 'stale_nodes' | 'missing' | 'no_data' | 'error' | 'paused';

export interface SeedSite {
  spec: SiteSpec;
  scenario: Scenario;
}

export interface SeedOptions {
  now: number;
  days?: number;
  canariesPerDay?: number;
  /** Days (counted back from today, 0 = today) with no canaries at all. */
  gapDays?: number[];
  /** Days whose canaries are mostly late. */
  badDays?: number[];
  seed?: number;
  writer?: CanaryWriter;
}

export const NODE_VANTAGES = ['node:10.0.0.1', 'node:10.0.0.2', 'node:10.0.0.3'];

export function siteSpec(id: string, extra: Partial<SiteSpec> = {}): SiteSpec {
  return {
    id,
    name: id,
    url: `https://${id}.example.com/`,
    canary: { path: '/freshprobe/canary.json', format: 'json' },
    probe: { vantages: ['edge', 'origin', ...NODE_VANTAGES], interval: MIN },
    timeout: 30 * MIN,
    slo: { threshold: 5 * MIN, target: 0.99, window: 28 * DAY_MS },
    runbook: `https://wiki.example.com/runbooks/${id}`,
    ...extra,
  };
}

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outcome(c: Canary, random: () => number, bad: boolean, threshold: number): Canary {
  const deployedAt = c.intentAt + 1_500;
  const roll = random();
  if (roll < 0.01)
    return {
      ...c,
      state: 'deploy_failed',
      deployError: 'push rejected (HTTP 503)',
      closedAt: deployedAt,
    };
  const late = bad ? roll < 0.6 : roll < 0.03;
  if (late && random() < 0.3) {
    const closedAt = deployedAt + 30 * MIN;
    return {
      ...c,
      state: 'timed_out',
      deployedAt,
      withinSlo: false,
      closedAt,
      vantages: { edge: { vantage: 'edge', lastMissAt: closedAt - MIN } },
    };
  }
  const latencyMs = Math.round(late ? threshold + random() * 10 * MIN : 15_000 + random() * 60_000);
  const gap = Math.round(2_000 + random() * 8_000);
  const visibleAt = deployedAt + latencyMs;
  return {
    ...c,
    state: 'visible',
    deployStartedAt: c.intentAt + 200,
    deployedAt,
    visibleAt,
    latencyMs,
    latencyBoundsMs: [latencyMs - gap, latencyMs + 1_300],
    withinSlo: latencyMs <= threshold,
    closedAt: visibleAt,
    vantages: { edge: { vantage: 'edge', lastMissAt: visibleAt - gap, visibleAt } },
  };
}

/** Writes a site's generated canaries; the default goes through the Store like the monitor. */
export type CanaryWriter = (store: FullStore, canaries: Canary[]) => Promise<void>;

export const storeWriter: CanaryWriter = async (store, canaries) => {
  for (const c of canaries) {
    const created = await store.createCanary({
      siteId: c.siteId,
      token: c.token,
      intentAt: c.intentAt,
      reason: c.reason,
    });
    await store.updateCanary({ ...c, seq: created.seq });
  }
};

function generateCanaries(spec: SiteSpec, o: Required<Omit<SeedOptions, 'writer'>>): Canary[] {
  const random = rng(o.seed + spec.id.length * 7919 + spec.id.charCodeAt(0));
  const today = dayOf(o.now);
  const step = DAY_MS / o.canariesPerDay;
  const out: Canary[] = [];
  for (let back = o.days - 1; back >= 0; back--) {
    if (o.gapDays.includes(back)) continue;
    const day = today - back * DAY_MS;
    for (let k = 0; k < o.canariesPerDay; k++) {
      const intentAt = day + k * step + 7_000;
      if (intentAt > o.now - 20 * MIN) break;
      const pending: Canary = {
        siteId: spec.id,
        seq: out.length + 1,
        token: `${spec.id}-${intentAt}`,
        intentAt,
        state: 'pending',
        reason: 'schedule',
        vantages: {},
      };
      out.push(outcome(pending, random, o.badDays.includes(back), spec.slo.threshold));
    }
  }
  const last = out.at(-1);
  if (!last) throw new Error(`no canary seeded for ${spec.id}`);
  // The newest canary is visible and fresh whatever the dice said, so the scenario decides the state.
  out[out.length - 1] = outcome(
    { ...last, state: 'propagating' },
    () => 0.5,
    false,
    spec.slo.threshold,
  );
  return out;
}

async function seedCanaries(
  store: FullStore,
  spec: SiteSpec,
  o: Required<SeedOptions>,
): Promise<Canary> {
  const canaries = generateCanaries(spec, o);
  await o.writer(store, canaries);
  const days = new Set(canaries.map((c) => dayOf(c.intentAt)));
  for (const day of days) await store.recomputeDay(spec.id, day);
  return canaries.at(-1)!;
}

function vantageStatuses(
  spec: SiteSpec,
  scenario: Scenario,
  latest: Canary,
  now: number,
): VantageStatus[] {
  const base = {
    siteId: spec.id,
    since: now - 3 * 3_600_000,
    lastObservedAt: now - 10_000,
    seqSeen: latest.seq,
    status: 200,
  };
  return spec.probe.vantages.map((vantage, i) => {
    const v: VantageStatus = { ...base, vantage, state: 'fresh' };
    const node = vantage.startsWith('node:');
    if (scenario === 'stale_nodes' && node && i >= spec.probe.vantages.length - 2)
      return {
        ...v,
        state: 'stale' as SiteState,
        since: now - 14 * MIN,
        seqSeen: latest.seq - 1,
        stalenessMs: 14 * MIN,
      };
    if (scenario === 'missing')
      return { ...v, state: 'missing', since: now - 40 * MIN, status: 404, seqSeen: undefined };
    if (scenario === 'error' && vantage === 'edge')
      return {
        ...v,
        state: 'error',
        since: now - 25 * MIN,
        status: 503,
        errorClass: 'http_5xx',
        errorMessage: 'HTTP 503',
      };
    if (scenario === 'no_data')
      return { ...v, since: now - 5 * 3_600_000, lastObservedAt: now - 47 * MIN };
    return v;
  });
}

export async function seedHistory(
  store: FullStore,
  sites: SeedSite[],
  options: SeedOptions,
): Promise<void> {
  const o: Required<SeedOptions> = {
    days: 90,
    canariesPerDay: 48,
    gapDays: [],
    badDays: [],
    seed: 42,
    writer: storeWriter,
    ...options,
  };
  for (const { spec, scenario } of sites) {
    await store.upsertSite(
      { id: spec.id, name: spec.name, url: spec.url, group: spec.group },
      o.now - o.days * DAY_MS,
    );
    const latest = await seedCanaries(store, spec, o);
    for (const v of vantageStatuses(spec, scenario, latest, o.now))
      await store.upsertVantageStatus(v);
    if (scenario === 'paused') await store.setPaused(spec.id, true);
  }
}
