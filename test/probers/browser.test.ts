/**
 * The browser vantage against real Chromium and real loopback sites, driven through the real
 * core (harness → stepSite/driveCanary), so every state below is the product's verdict.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requestCanary } from '../../src/core/deploy.js';
import { driveCanary } from '../../src/core/drive.js';
import type { Observation } from '../../src/core/model.js';
import { stepSite } from '../../src/core/step.js';
import { type Harness, harness } from '../helpers/site-harness.js';
import { type BrowserSite, CANARY_PATH, startBrowserSite } from './browser-site.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A site on a loopback server, probed from edge and browser through the real adapter table. */
async function siteUnderTest(o: { serviceWorker: boolean; threshold: string }) {
  const dir = await tempDir('freshprobe-sw-site-');
  await mkdir(join(dir, 'freshprobe'));
  const site: BrowserSite = await startBrowserSite({ dir, serviceWorker: o.serviceWorker });
  cleanups.push(() => site.close());
  const h: Harness = await harness({
    sites: [
      {
        id: 'sw',
        url: `${site.origin}/`,
        canary: { path: CANARY_PATH },
        deploy: { kind: 'local-dir', dir },
        probe: { vantages: ['edge', 'browser'], interval: '1s', timeout: '5s' },
        timeout: '1m',
        slo: { threshold: o.threshold },
      },
    ],
  });
  const rt = h.runtimes[0]!;
  // The harness closes deployers; probers (the browser's Chromium) are the caller's to close.
  cleanups.push(async () => {
    await Promise.all(rt.probers.map((p) => p.close?.()));
    await h.close();
  });
  return { site, h, rt };
}

async function observationsOf(h: Harness, vantage: string, canarySeq: number) {
  const list = await h.deps.store.listObservations('sw', { limit: 1000, vantage });
  return list.filter((o) => o.canarySeq === canarySeq).sort((a, b) => a.startedAt - b.startedAt);
}

/** Consecutive states with repeats folded: ['propagating', 'stale']. */
const stateRuns = (list: Observation[]) =>
  list.map((o) => o.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);

describe('browser vantage: a service worker serving an old page', () => {
  it('reports the browser stale while the edge is fresh', async () => {
    const { h, rt } = await siteUnderTest({ serviceWorker: true, threshold: '4s' });
    const t0 = Date.now();

    // Canary #1: the first visit installs the worker, which caches #1; both vantages see it.
    const first = await requestCanary(h.deps, rt.spec, 'test');
    const one = await driveCanary(h.deps, rt, first.seq);
    expect(one.state).toBe('visible');
    expect(one.vantages.browser?.visibleAt).toBeDefined();
    const t1 = Date.now();

    // Canary #2: the edge serves it; the worker keeps answering #1 from Cache Storage.
    const second = await requestCanary(h.deps, rt.spec, 'test');
    let browser: Observation[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const step = await stepSite(h.deps, rt);
      browser = await observationsOf(h, 'browser', second.seq);
      if (browser.at(-1)?.state === 'stale') break;
      await new Promise((r) => setTimeout(r, Math.max(0, step.nextDueAt - Date.now())));
    }
    const edge = await observationsOf(h, 'edge', second.seq);

    expect(edge.length).toBeGreaterThan(0);
    expect(edge.every((o) => o.state === 'fresh' && o.seqSeen === second.seq)).toBe(true);
    expect(stateRuns(browser)).toEqual(['propagating', 'stale']);
    expect(browser.every((o) => o.seqSeen === first.seq)).toBe(true);
    expect(browser.at(-1)?.cache).toMatchObject({ cacheStatus: 'hit', pop: 'service-worker' });
    expect(browser.at(-1)?.stalenessMs).toBeGreaterThanOrEqual(4_000);

    const statuses = await h.deps.store.vantageStatuses('sw');
    expect(statuses.map((s) => [s.vantage, s.state])).toEqual([
      ['browser', 'stale'],
      ['edge', 'fresh'],
    ]);
    const two = await h.deps.store.getCanary('sw', second.seq);
    expect(two?.visibleAt).toBeDefined(); // the edge saw it
    expect(two?.vantages.browser?.visibleAt).toBeUndefined();
    // Measured figures for the issue report, printed with FRESHPROBE_PRINT=1.
    if (process.env.FRESHPROBE_PRINT)
      console.info(
        `[browser-sw] canary #1 visible in ${t1 - t0} ms (cold Chromium);`,
        `#2 stale after ${Date.now() - t1} ms; ${browser.length} browser probes`,
      );
  });

  it('without a service worker the browser sees the new canary too', async () => {
    const { h, rt } = await siteUnderTest({ serviceWorker: false, threshold: '4s' });
    for (let i = 0; i < 2; i += 1) {
      const created = await requestCanary(h.deps, rt.spec, 'test');
      const canary = await driveCanary(h.deps, rt, created.seq);
      expect(canary.state).toBe('visible');
      expect(canary.vantages.browser?.visibleAt).toBeDefined();
    }
    const browser = await observationsOf(h, 'browser', 2);
    expect(browser.at(-1)).toMatchObject({ state: 'fresh', seqSeen: 2 });
    expect(browser.at(-1)?.cache.pop).toBeUndefined();
  });
});
