/**
 * The 2017 restart window: a node's daemon listens before it has loaded its
 * content and answers 404 for 20 s. freshprobe must show `missing` on that
 * node for those 20 s (give or take a round), and nothing on the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetNode } from '../bed/fleet.js';
import {
  canaryToVerdict,
  drive,
  nodesIn,
  observations,
  type Run,
  report,
  runs,
  type Sample,
  type Scenario,
  startScenario,
  vantageOf,
} from './support.js';

const LOADING_MS = 20_000;
const INTERVAL_MS = 1_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario({ nodes: 3, edgeTtlSeconds: 0 }, { threshold: '5s', timeout: '1m' });
});
afterAll(async () => {
  await s?.close();
});

describe('restart 404 window', () => {
  it('reads missing on the restarting node for 20 s and nothing on the others', async () => {
    const { fleet } = s.pages;
    expect((await canaryToVerdict(s)).state).toBe('visible');
    const node = fleet.nodes[1]!;
    const restart = await fleet.restart(node.index, { loadingMs: LOADING_MS });
    let loadedAt: number | undefined;
    void restart.loaded.then((t) => {
      loadedAt = t;
    });
    const samples = await drive(s, {
      maxMs: LOADING_MS + 8 * INTERVAL_MS,
      until: (x) => loadedAt !== undefined && x.at > loadedAt + 3 * INTERVAL_MS,
    });
    expect(loadedAt, 'the node never finished loading').toBeDefined();
    const missing = await expectWindow(node, restart.at, loadedAt!);
    await expectNothingElse(samples, node, missing);
    report('restart-404', {
      windowMs: missing.to! - missing.from,
      startAfterRestartMs: missing.from - restart.at,
      endAfterReloadMs: missing.to! - loadedAt!,
    });
  });
});

/** One missing run on the node, 20 s give or take 2, within two rounds of the real restart. */
async function expectWindow(node: FleetNode, restartedAt: number, loadedAt: number) {
  const nodeRuns = runs(await observations(s, node.vantage));
  expect(nodeRuns.map((r) => r.state)).toEqual(['fresh', 'missing', 'fresh']);
  const missing = nodeRuns[1]!;
  expect(Math.abs(missing.to! - missing.from - LOADING_MS)).toBeLessThanOrEqual(2_000);
  expect(missing.from - restartedAt).toBeGreaterThanOrEqual(0);
  expect(missing.from - restartedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
  expect(missing.to! - loadedAt).toBeGreaterThanOrEqual(0);
  expect(missing.to! - loadedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
  return missing;
}

/** Nothing on the other nodes; the API named only that node; fresh again after, since then. */
async function expectNothingElse(samples: Sample[], node: FleetNode, missing: Run) {
  for (const other of s.pages.fleet.nodes.filter((n) => n !== node)) {
    const states = new Set((await observations(s, other.vantage)).map((o) => o.state));
    expect([...states], other.vantage).toEqual(['fresh']);
  }
  const during = samples.filter((x) => x.at > missing.from + 1_500 && x.at < missing.to!);
  expect(during.length).toBeGreaterThan(10);
  for (const x of during) {
    expect(x.view.state).toBe('missing');
    expect(x.view.affected.vantages).toContain(node.vantage);
    expect(nodesIn(x.view, 'missing').map((v) => v.vantage)).toEqual([node.vantage]);
    expect(x.view.since).toBeLessThanOrEqual(missing.from);
  }
  const end = samples.at(-1)!.view;
  expect(end.state).toBe('fresh');
  expect(vantageOf(end, node.vantage)?.since).toBe(missing.to);
  // The site is fresh since the node came back, not since before the window.
  expect(end.since).toBeGreaterThanOrEqual(missing.to!);
  // The edge round-robins over the fleet: it saw the 404s only now and then, and nothing else.
  const edge = (await observations(s, 'edge')).filter((o) => o.startedAt >= missing.from);
  for (const o of edge) expect(['fresh', 'missing']).toContain(o.state);
}
