/**
 * Edge TTL against origin delay: the pipeline publishes 2 s after the push,
 * and a CDN purge that races the publish lets a reader re-cache the old file
 * at the edge just before the swap, so the edge keeps it for its whole 10 s
 * TTL. The origin vantage must see the canary after about 2 s, the edge after
 * about 12 s, each inside the bound freshprobe reports, and the site must say
 * "stale at the edge only" meanwhile: a CDN problem, not a pipeline problem.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/model.js';
import { vantageLatency } from '../../src/core/progress.js';
import { sq } from '../bed/shell.js';
import {
  canaryToVerdict,
  deployCanary,
  drive,
  getCanary,
  observations,
  report,
  type Sample,
  type Scenario,
  startScenario,
  vantageOf,
} from './support.js';

const TTL_MS = 10_000;
const PUBLISH_DELAY_MS = 2_000;
const THRESHOLD_MS = 5_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario(
    {
      nodes: 1,
      edgeTtlSeconds: TTL_MS / 1000,
      // The first canary only sets the scene: published at once.
      publishDelayMs: (_node, release) => (release === 1 ? 0 : PUBLISH_DELAY_MS),
    },
    { vantages: ['edge', 'origin'], threshold: '5s', timeout: '40s' },
  );
});
afterAll(async () => {
  await s?.close();
});

/** When the racing refill began and ended: the old object was stored in between. */
async function refill(): Promise<number[]> {
  const text = await readFile(join(s.pages.fleet.root, 'refills'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

describe('edge TTL 10 s, origin publish delay 2 s', () => {
  it('reports about 12 s at the edge and 2 s at the origin, each inside its bound', async () => {
    const { fleet, edge } = s.pages;
    expect((await canaryToVerdict(s)).state).toBe('visible');
    const log = sq(join(fleet.root, 'refills'));
    const race = edge.purgeAndRefillCommand(s.rt.spec.canary.path);
    await fleet.beforeSwap(`date +%s%3N >> ${log}; ${race}; date +%s%3N >> ${log}`);

    const deployed = await deployCanary(s);
    const samples = await drive(s, {
      maxMs: 25_000,
      until: (x) => x.view.latest?.state !== 'propagating',
    });
    const canary = await getCanary(s, deployed.seq);
    expect(canary.state).toBe('visible');
    expect(canary.withinSlo).toBe(false);
    const figures = await expectLatencies(canary);
    await expectEdgeOnly(samples, canary, figures.edge.truthMs[0]);
    report('edge-ttl', figures);
  });
});

/** Each latency's bound holds the truth from the host's own logs. */
async function expectLatencies(canary: Canary) {
  const at = canary.deployedAt!;
  const publishedAt = (await s.pages.fleet.published()).find((e) => e.release === 2)!.at;
  const [raceFrom, raceTo] = await refill();
  const truthOrigin = publishedAt - at;
  // The new file shows at the edge once the old object expires: TTL after it was stored.
  const truthEdge = [raceFrom! + TTL_MS - at, raceTo! + TTL_MS - at] as const;
  // The bed did what it was asked: published after 2 s, the edge object expired 12 s in.
  expect(Math.abs(truthOrigin - PUBLISH_DELAY_MS)).toBeLessThanOrEqual(500);
  expect(Math.abs(truthEdge[0] - (PUBLISH_DELAY_MS + TTL_MS))).toBeLessThanOrEqual(500);
  const originL = vantageLatency(canary, canary.vantages.origin)!;
  const edgeL = vantageLatency(canary, canary.vantages.edge)!;
  expect(truthOrigin).toBeGreaterThanOrEqual(originL.latencyBoundsMs[0]);
  expect(truthOrigin).toBeLessThanOrEqual(originL.latencyBoundsMs[1]);
  expect(truthEdge[1]).toBeGreaterThanOrEqual(edgeL.latencyBoundsMs[0]);
  expect(truthEdge[0]).toBeLessThanOrEqual(edgeL.latencyBoundsMs[1]);
  // Tight enough to read "about 2 s" and "about 12 s": one probe interval, give or take load.
  for (const l of [originL, edgeL]) {
    expect(l.latencyBoundsMs[1] - l.latencyBoundsMs[0]).toBeLessThanOrEqual(2_000);
  }
  expect(canary.latencyMs).toBe(edgeL.latencyMs);
  return {
    edge: { latencyMs: edgeL.latencyMs, bounds: edgeL.latencyBoundsMs, truthMs: truthEdge },
    origin: { latencyMs: originL.latencyMs, bounds: originL.latencyBoundsMs, truthMs: truthOrigin },
  };
}

/** Between the threshold and the TTL's end: stale at the edge only, and the edge says why. */
async function expectEdgeOnly(samples: Sample[], canary: Canary, expiresAfterMs: number) {
  const at = canary.deployedAt!;
  const between = samples.filter(
    (x) => x.at > at + THRESHOLD_MS + 1_200 && x.at < at + expiresAfterMs,
  );
  expect(between.length).toBeGreaterThan(3);
  for (const x of between) {
    expect(x.view.state).toBe('stale');
    expect(x.view.affected.vantages).toEqual(['edge']);
    expect(vantageOf(x.view, 'origin')?.state).toBe('fresh');
  }
  // The edge served the old file from cache: the stored row where it turned stale (repeats of
  // the same answer are only counted, src/core/keep.ts) is a hit on the object the racing
  // refill stored, its Age the seconds since. The cache-busted origin probes were misses.
  const edgeObs = (await observations(s, 'edge')).filter((o) => o.canarySeq === canary.seq);
  const held = edgeObs.filter((o) => o.seqSeen === 1 && o.startedAt > at + PUBLISH_DELAY_MS + 500);
  expect(held.map((o) => o.state)).toEqual(['stale']);
  const [raceFrom, raceTo] = await refill();
  const cachedFor = (since: number) => (held[0]!.startedAt - since) / 1000;
  expect(held[0]!.cache.cacheStatus).toBe('hit');
  expect(held[0]!.cache.age!).toBeGreaterThanOrEqual(Math.floor(cachedFor(raceTo!)) - 1);
  expect(held[0]!.cache.age!).toBeLessThanOrEqual(Math.ceil(cachedFor(raceFrom!)) + 1);
  const originObs = (await observations(s, 'origin')).filter((o) => o.canarySeq === canary.seq);
  expect(originObs.every((o) => o.cache.cacheStatus === 'miss')).toBe(true);
}
