/**
 * 2017 replayed: one node of five keeps serving an old release after deploys
 * because its daemon holds an old mount. freshprobe must call it partial
 * staleness naming that node within two rounds of the SLO threshold, with the
 * right staleness age, and see it end when the daemon is restarted (the fix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/model.js';
import type { SiteView } from '../../src/http/views.js';
import type { FleetNode } from '../bed/fleet.js';
import {
  canaryToVerdict,
  deployCanary,
  drive,
  getCanary,
  nodesIn,
  observations,
  report,
  runs,
  type Sample,
  type Scenario,
  startScenario,
  vantageOf,
} from './support.js';

const THRESHOLD_MS = 4_000;
const INTERVAL_MS = 1_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario(
    { nodes: 5, publish: 'mount', edgeTtlSeconds: 0 },
    { threshold: '4s', timeout: '40s' },
  );
  const { publishMode, fallbackReason } = s.pages.fleet;
  console.info(
    publishMode === 'mount'
      ? 'stuck node: 2017 form (nginx in its own mount namespace; releases bind-mounted by the host)'
      : `stuck node: fallback form, a node whose symlink is not updated (${fallbackReason})`,
  );
});
afterAll(async () => {
  await s?.close();
});

describe('stuck node, 1 of 5', () => {
  it('reports partial staleness naming the node, its age, and when it started and ended', async () => {
    const { fleet } = s.pages;
    expect((await canaryToVerdict(s)).state).toBe('visible');
    const stuck = fleet.nodes[2]!;
    await fleet.stick(stuck.index);
    const second = await deployCanary(s);
    const staleAt = second.deployedAt! + THRESHOLD_MS;
    const samples = await drive(s, { maxMs: THRESHOLD_MS + 4 * INTERVAL_MS });

    const named = await expectNamedInTime(samples, stuck, second, staleAt);
    await expectPartial(samples.at(-1)!.view, stuck);
    const ageErrors = expectAge(samples, second);
    const { edgeSawOld, edgeRounds } = await edgeView(second.seq);
    const ended = await expectFixEndsIt(stuck, second, named.firstStaleAt);
    report('stuck-node', {
      form: fleet.publishMode,
      namedAfterThresholdMs: named.at - staleAt,
      nodeRoundsToName: named.rounds,
      stalenessAgeErrorMs: { min: Math.min(...ageErrors), max: Math.max(...ageErrors) },
      staleRun: { fromAfterThresholdMs: named.firstStaleAt - staleAt, ...ended },
      edgeSawOldInRounds: `${edgeSawOld} of ${edgeRounds}`,
    });
  });
});

/** Named within two probe rounds after the threshold, counted in the node's own rounds. */
async function expectNamedInTime(samples: Sample[], stuck: FleetNode, c: Canary, staleAt: number) {
  const named = samples.find(
    (x) => x.view.state === 'stale' && x.view.affected.vantages.includes(stuck.vantage),
  );
  expect(named, 'site never read stale naming the stuck node').toBeDefined();
  const nodeObs = await observations(s, stuck.vantage);
  const firstStale = nodeObs.find((o) => o.state === 'stale')!;
  // The node's rounds from the threshold to its first stale reading, from the status it had
  // after each step (identical in-window observations are not stored as rows any more).
  const roundEnds = new Set(
    samples
      .map((x) => vantageOf(x.view, stuck.vantage)?.lastObservedAt ?? 0)
      .filter((end) => end >= staleAt && end <= firstStale.startedAt + firstStale.durationMs),
  );
  const rounds = roundEnds.size;
  expect(rounds).toBeGreaterThanOrEqual(1);
  expect(rounds).toBeLessThanOrEqual(2);
  expect(named!.at - staleAt).toBeLessThanOrEqual(2 * INTERVAL_MS + 1_000);
  // Before the threshold the same node was only propagating, never stale.
  const early = nodeObs.filter(
    (o) => o.canarySeq === c.seq && o.startedAt + o.durationMs < staleAt,
  );
  expect(early.every((o) => o.state === 'propagating')).toBe(true);
  // When it started, as the API says: the node's `since` is that first stale observation.
  const since = vantageOf(samples.at(-1)!.view, stuck.vantage)!.since;
  expect(since).toBe(firstStale.startedAt);
  expect(since - staleAt).toBeGreaterThanOrEqual(-INTERVAL_MS);
  expect(since - staleAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
  return { at: named!.at, rounds, firstStaleAt: firstStale.startedAt };
}

/** Exactly 1 of 5 nodes is stale, the stuck one, serving seq 1; the others never were. */
async function expectPartial(view: SiteView, stuck: FleetNode) {
  expect(view.state).toBe('stale');
  expect(nodesIn(view, 'stale').map((v) => v.vantage)).toEqual([stuck.vantage]);
  expect(nodesIn(view, 'fresh')).toHaveLength(4);
  expect(view.vantages.filter((v) => v.vantage.startsWith('node:'))).toHaveLength(5);
  expect(vantageOf(view, stuck.vantage)?.seqSeen).toBe(1);
  // `of` counts every vantage (edge, origin and 5 nodes); the edge may be in the list too.
  expect(view.affected.of).toBe(view.vantages.length);
  for (const v of view.affected.vantages) expect(['edge', 'origin', stuck.vantage]).toContain(v);
  for (const other of s.pages.fleet.nodes.filter((n) => n !== stuck)) {
    const states = new Set((await observations(s, other.vantage)).map((o) => o.state));
    expect([...states], other.vantage).toEqual(['fresh']);
  }
}

/** Staleness age as read at each instant: now minus canary 2's deploy, to within 2 s. */
function expectAge(samples: Sample[], c: Canary): number[] {
  const errors = samples
    .filter((x) => x.view.state === 'stale')
    .map((x) => x.at - c.deployedAt! - x.view.stalenessMs!);
  expect(errors.length).toBeGreaterThan(2);
  for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(2_000);
  return errors;
}

/** The fix from 2017, restarting the daemon: staleness ends, canary 2 becomes visible. */
async function expectFixEndsIt(stuck: FleetNode, c: Canary, firstStaleAt: number) {
  await s.pages.fleet.unstick(stuck.index);
  const fixedAt = Date.now();
  const after = await drive(s, {
    maxMs: 6 * INTERVAL_MS,
    until: (x) => x.view.latest?.state === 'visible',
  });
  expect(after.at(-1)!.view.state).toBe('fresh');
  expect(after.at(-1)!.view.since).toBeGreaterThanOrEqual(fixedAt);
  const nodeRuns = runs(await observations(s, stuck.vantage));
  const staleRun = nodeRuns.find((r) => r.state === 'stale')!;
  expect(staleRun.from).toBe(firstStaleAt);
  expect(staleRun.to! - fixedAt).toBeGreaterThanOrEqual(0);
  expect(staleRun.to! - fixedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
  expect(nodeRuns.at(-1)?.state).toBe('fresh');
  const closed = await getCanary(s, c.seq);
  expect(closed.state).toBe('visible');
  expect(closed.vantages[stuck.vantage]!.visibleAt! - fixedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
  return { endedAfterFixMs: staleRun.to! - fixedAt, lastedMs: staleRun.to! - staleRun.from };
}

/** How often the edge alone (round robin over the fleet) happened to show the stuck node. */
async function edgeView(seq: number) {
  const edge = (await observations(s, 'edge')).filter((o) => o.canarySeq === seq);
  return { edgeSawOld: edge.filter((o) => o.seqSeen === seq - 1).length, edgeRounds: edge.length };
}
