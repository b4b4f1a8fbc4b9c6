/**
 * The edge answers 503 for a while (a VCL that synthesizes 503 for every
 * request, hits included), and a canary is deployed in the middle of it.
 * freshprobe must show `error` at the edge only, during the burst and not
 * after, and never `stale`: the origin and the nodes show the canary, and an
 * edge that cannot answer proves nothing about freshness. The canary still
 * misses its SLO (the edge did not show it in time), with an honest bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vantageLatency } from '../../src/core/progress.js';
import {
  canaryToVerdict,
  deployCanary,
  drive,
  getCanary,
  observations,
  report,
  runs,
  type Sample,
  type Scenario,
  startScenario,
  vantageOf,
} from './support.js';

const BURST_MS = 8_000;
const INTERVAL_MS = 1_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario({ nodes: 2, edgeTtlSeconds: 0 }, (pages) => ({
    // A true origin: one node directly, so the edge's own failure is told apart.
    originUrl: new URL('/freshprobe/canary.json', pages.fleet.nodes[0]!.url).href,
    threshold: '4s',
    timeout: '30s',
  }));
});
afterAll(async () => {
  await s?.close();
});

describe('edge 5xx burst', () => {
  it('shows error at the edge during the burst only, and never stale', async () => {
    const { edge } = s.pages;
    expect((await canaryToVerdict(s)).state).toBe('visible');
    const burstFrom = await edge.startBurst();
    const samples: Sample[] = await drive(s, { maxMs: 1_500 });
    const canary = await deployCanary(s);
    samples.push(...(await drive(s, { maxMs: burstFrom + BURST_MS - Date.now() })));
    const burstTo = await edge.endBurst();
    samples.push(
      ...(await drive(s, {
        maxMs: 8 * INTERVAL_MS,
        until: (x) => x.view.latest?.state === 'visible' && x.at > burstTo + 2 * INTERVAL_MS,
      })),
    );
    const burst = await expectErrorRun(burstFrom, burstTo);
    await expectEdgeOnly(samples, burstFrom, burstTo);
    const latency = await expectCanary(canary.seq, burstTo);
    report('edge-5xx', {
      burstMs: burstTo - burstFrom,
      errorRun: { startAfterBurstMs: burst.from - burstFrom, endAfterBurstMs: burst.to! - burstTo },
      ...latency,
    });
  });
});

/** One error run at the edge (503, http_5xx), within two rounds of the burst at each end. */
async function expectErrorRun(burstFrom: number, burstTo: number) {
  const edgeObs = await observations(s, 'edge');
  const edgeRuns = runs(edgeObs).filter((r) => r.from >= burstFrom - 50);
  expect(edgeRuns.map((r) => r.state)).toEqual(['error', 'fresh']);
  const burst = edgeRuns[0]!;
  expect(burst.from - burstFrom).toBeLessThanOrEqual(2 * INTERVAL_MS);
  expect(burst.to! - burstTo).toBeGreaterThanOrEqual(0);
  expect(burst.to! - burstTo).toBeLessThanOrEqual(2 * INTERVAL_MS);
  for (const o of edgeObs.filter((o) => o.state === 'error')) {
    expect([o.status, o.errorClass]).toEqual([503, 'http_5xx']);
  }
  return burst;
}

/** Only the edge: origin and nodes never erred, nothing anywhere was stale or missing. */
async function expectEdgeOnly(samples: Sample[], burstFrom: number, burstTo: number) {
  const all = await observations(s);
  expect(all.filter((o) => o.state === 'error' && o.vantage !== 'edge')).toEqual([]);
  expect(all.filter((o) => o.state === 'stale' || o.state === 'missing')).toEqual([]);
  const during = samples.filter((x) => x.at > burstFrom + 1_500 && x.at < burstTo);
  expect(during.length).toBeGreaterThan(4);
  for (const { view } of during) {
    expect(view.state).toBe('error');
    expect(view.affected.vantages).toEqual(['edge']);
    expect(vantageOf(view, 'edge')).toMatchObject({ status: 503, errorClass: 'http_5xx' });
  }
  expect(samples.every((x) => x.view.state !== 'stale')).toBe(true);
  expect(samples.at(-1)!.view.state).toBe('fresh');
}

/** Visible once the burst ended, past its SLO; errors prove nothing, so the bound starts at 0. */
async function expectCanary(seq: number, burstTo: number) {
  const done = await getCanary(s, seq);
  expect(done.state).toBe('visible');
  expect(done.withinSlo).toBe(false);
  const truth = burstTo - done.deployedAt!;
  const l = vantageLatency(done, done.vantages.edge)!;
  expect(truth).toBeGreaterThanOrEqual(l.latencyBoundsMs[0]);
  expect(truth).toBeLessThanOrEqual(l.latencyBoundsMs[1]);
  const originL = vantageLatency(done, done.vantages.origin)!;
  expect(originL.latencyMs).toBeLessThan(truth);
  return {
    edge: { latencyMs: l.latencyMs, bounds: l.latencyBoundsMs, truthMs: truth },
    originLatencyMs: originL.latencyMs,
  };
}
