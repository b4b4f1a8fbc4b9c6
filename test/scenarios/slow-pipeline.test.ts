/**
 * A slow, queued pipeline: two canaries are in flight at once. The older one's
 * publish job is slow (8 s) and the newer one's fast (3 s); like Pages skipping
 * outdated deployment jobs, the host never publishes an older release over a
 * newer one. Both canaries must get verdicts, the older counting as visible
 * when the newer shows (its content includes the older's), with latencies
 * whose bounds hold the publish times, and no stale or missing on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/model.js';
import { vantageLatency } from '../../src/core/progress.js';
import {
  canaryToVerdict,
  deployCanary,
  drive,
  getCanary,
  observations,
  report,
  type Scenario,
  startScenario,
} from './support.js';

const SLOW_MS = 8_000;
const FAST_MS = 3_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario(
    {
      nodes: 2,
      edgeTtlSeconds: 0,
      publishDelayMs: (_node, release) => [0, 0, SLOW_MS, FAST_MS][release] ?? 0,
    },
    { threshold: '6s', timeout: '30s' },
  );
});
afterAll(async () => {
  await s?.close();
});

describe('slow pipeline, deploys queued', () => {
  it('gives both canaries verdicts; the older is visible when the newer shows', async () => {
    expect((await canaryToVerdict(s)).state).toBe('visible');
    const older = await deployCanary(s);
    const newer = await deployCanary(s);
    expect([older.state, newer.state]).toEqual(['propagating', 'propagating']);
    const skipAt = older.deployedAt! + SLOW_MS;
    const samples = await drive(s, { maxMs: SLOW_MS + 6_000, until: (x) => x.at > skipAt + 2_000 });

    const [a, b] = [await getCanary(s, older.seq), await getCanary(s, newer.seq)];
    expect([a.state, b.state]).toEqual(['visible', 'visible']);
    expect([a.withinSlo, b.withinSlo]).toEqual([true, true]);
    // Seen in the same observation: the older one's latency is the newer's plus the gap.
    expect(a.visibleAt).toBe(b.visibleAt);
    expect(a.latencyMs! - b.latencyMs!).toBe(b.deployedAt! - a.deployedAt!);
    const figures = await expectTruthInBounds(a, b);

    // Queued, not broken: propagating then fresh, never stale, missing or error.
    const states = new Set(samples.map((x) => x.view.state));
    expect([...states].sort()).toEqual(['fresh', 'propagating']);
    const since = (await observations(s)).filter((o) => o.startedAt >= older.deployedAt!);
    expect(since.filter((o) => !['fresh', 'propagating'].includes(o.state))).toEqual([]);
    // The skipped release never rolled a node back.
    const end = samples.at(-1)!.view;
    expect(end.state).toBe('fresh');
    for (const v of end.vantages) expect(v.seqSeen, v.vantage).toBe(newer.seq);
    report('slow-pipeline', figures);
  });
});

/** Truth from the host's log: release 3 went live on each node, release 2 was skipped. */
async function expectTruthInBounds(older: Canary, newer: Canary) {
  const { fleet } = s.pages;
  const events = await fleet.published();
  const live = events.filter((e) => e.release === newer.seq && e.what === 'published');
  expect(live).toHaveLength(fleet.nodes.length);
  const skipped = events.filter((e) => e.release === older.seq);
  expect(skipped.map((e) => e.what)).toEqual(['skipped', 'skipped']);
  // The slow job started in the hook, before the push returned.
  const slowJobFrom = older.deployStartedAt! + SLOW_MS;
  expect(Math.min(...skipped.map((e) => e.at))).toBeGreaterThanOrEqual(slowJobFrom);
  const figures: Record<string, unknown> = {};
  for (const c of [older, newer]) {
    for (const node of fleet.nodes) {
      const truth = live.find((e) => e.node === node.index)!.at - c.deployedAt!;
      const [lo, hi] = vantageLatency(c, c.vantages[node.vantage])!.latencyBoundsMs;
      expect(truth, `#${c.seq} ${node.vantage}`).toBeGreaterThanOrEqual(lo);
      expect(truth, `#${c.seq} ${node.vantage}`).toBeLessThanOrEqual(hi);
    }
    // The edge takes the nodes in turn: it saw the first of them that had it.
    const first = Math.min(...live.map((e) => e.at)) - c.deployedAt!;
    expect(first).toBeLessThanOrEqual(c.latencyBoundsMs![1]);
    figures[`#${c.seq}`] = {
      latencyMs: c.latencyMs,
      bounds: c.latencyBoundsMs,
      firstLiveMs: first,
    };
  }
  return figures;
}
