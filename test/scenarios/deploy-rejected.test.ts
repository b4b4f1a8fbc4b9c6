/**
 * The pipeline refuses deploys (its pre-receive hook exits 1) for a while.
 * Over that whole time the site must read `deploy_failing` with the hook's
 * message, since the refused canary's verdict, and never `stale`: what the
 * fleet serves is still the newest deploy that was accepted. Once pushes are
 * accepted again the next canary goes through and the site is fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canaryToVerdict,
  deployCanary,
  drive,
  observations,
  report,
  type Scenario,
  startScenario,
} from './support.js';

const MESSAGE = 'pages are frozen for maintenance';
const THRESHOLD_MS = 3_000;
let s: Scenario;

beforeAll(async () => {
  s = await startScenario({ nodes: 2, edgeTtlSeconds: 0 }, { threshold: '3s', timeout: '30s' });
});
afterAll(async () => {
  await s?.close();
});

describe('deploy rejected by the pipeline', () => {
  it('reads deploy_failing the whole time, never stale, then fresh again', async () => {
    const { fleet } = s.pages;
    const first = await canaryToVerdict(s);
    expect(first.state).toBe('visible');
    await fleet.rejectPushes(MESSAGE);
    const refused = await deployCanary(s);
    expect(refused.state).toBe('deploy_failed');
    expect(refused.deployError).toContain(MESSAGE);

    // Well past the SLO threshold: what is served is old, but nothing newer was accepted.
    const failing = await drive(s, { maxMs: 2 * THRESHOLD_MS });
    expect(failing.length).toBeGreaterThan(4);
    for (const { view } of failing) {
      expect(view.state).toBe('deploy_failing');
      expect(view.since).toBe(refused.closedAt);
      expect(view.latest).toMatchObject({ seq: refused.seq, state: 'deploy_failed' });
      expect(view.latest?.error).toContain(MESSAGE);
      for (const v of view.vantages) {
        expect(v.state, v.vantage).toBe('fresh');
        expect(v.seqSeen, v.vantage).toBe(first.seq);
      }
    }

    await fleet.rejectPushes(false);
    const third = await canaryToVerdict(s);
    expect(third.state).toBe('visible');
    const after = await drive(s, { maxMs: 1_500 });
    const end = after.at(-1)!.view;
    expect(end.state).toBe('fresh');

    // Every stored observation, the whole run: fresh or propagating, nothing else.
    const states = new Set((await observations(s)).map((o) => o.state));
    for (const st of states) expect(['fresh', 'propagating']).toContain(st);
    report('deploy-rejected', {
      failingForMs: third.deployedAt! - refused.closedAt!,
      samplesDeployFailing: failing.length,
      statesStored: [...states],
    });
  });
});
