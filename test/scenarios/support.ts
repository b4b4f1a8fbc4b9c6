/**
 * What every scenario does: start a Pages-like host (test/bed/pages-fleet.ts),
 * point freshprobe's real adapters at it, and step the site the way the
 * scheduler would, looking at the site the way the API shows it (siteView)
 * after every step. Assertions then read the stored observations, so they
 * test what an operator would be told, not the test's own clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { requestCanary } from '../../src/core/deploy.js';
import { driveCanary } from '../../src/core/drive.js';
import type { Canary, Observation, SiteState } from '../../src/core/model.js';
import type { SiteRuntime } from '../../src/core/site.js';
import { stepSite } from '../../src/core/step.js';
import { type SiteView, siteView } from '../../src/http/views.js';
import {
  type PagesFleet,
  type PagesFleetOptions,
  pagesSiteConfig,
  type SiteOverrides,
  startPagesFleet,
} from '../bed/pages-fleet.js';
import { type Harness, harness } from '../helpers/site-harness.js';

export interface Scenario {
  pages: PagesFleet;
  h: Harness;
  rt: SiteRuntime;
  close(): Promise<void>;
}

export async function startScenario(
  pagesOpts: PagesFleetOptions,
  site: SiteOverrides | ((pages: PagesFleet) => SiteOverrides) = {},
): Promise<Scenario> {
  const pages = await startPagesFleet(pagesOpts);
  try {
    const overrides = typeof site === 'function' ? site(pages) : site;
    const h = await harness(pagesSiteConfig(pages, overrides));
    const rt = h.runtimes[0]!;
    return {
      pages,
      h,
      rt,
      close: async () => {
        await Promise.allSettled(rt.probers.map((p) => p.close?.()));
        await h.close();
        await pages.close();
      },
    };
  } catch (err) {
    await pages.close();
    throw err;
  }
}

/** Deploys one canary and steps until its verdict. */
export async function canaryToVerdict(s: Scenario): Promise<Canary> {
  const created = await requestCanary(s.h.deps, s.rt.spec, 'test');
  return driveCanary(s.h.deps, s.rt, created.seq);
}

/** Creates a canary and runs the step that deploys it (and probes once); returns it deployed. */
export async function deployCanary(s: Scenario): Promise<Canary> {
  const created = await requestCanary(s.h.deps, s.rt.spec, 'test');
  await stepSite(s.h.deps, s.rt);
  return (await s.h.deps.store.getCanary(s.rt.spec.id, created.seq))!;
}

export const getCanary = async (s: Scenario, seq: number): Promise<Canary> =>
  (await s.h.deps.store.getCanary(s.rt.spec.id, seq))!;

/** The site as `GET /api/v1/sites/:id` shows it, at one instant. */
export interface Sample {
  at: number;
  view: SiteView;
}

/**
 * Steps the site as the scheduler would for up to `maxMs`, sampling the view after each step;
 * stops early once `until` holds for a sample.
 */
export async function drive(
  s: Scenario,
  o: { maxMs: number; until?: (sample: Sample) => boolean },
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = Date.now() + o.maxMs;
  for (;;) {
    const step = await stepSite(s.h.deps, s.rt);
    const at = Date.now();
    const sample = { at, view: await siteView(s.h.deps.store, s.rt.spec, at) };
    samples.push(sample);
    if (o.until?.(sample) || at >= end) return samples;
    await sleep(Math.max(0, Math.min(step.nextDueAt, end) - Date.now()));
  }
}

/** Stored observations of the site (or one vantage), oldest first. */
export async function observations(s: Scenario, vantage?: string): Promise<Observation[]> {
  const query = { limit: 10_000, ...(vantage ? { vantage } : {}) };
  const list = await s.h.deps.store.listObservations(s.rt.spec.id, query);
  return list.sort((a, b) => a.startedAt - b.startedAt);
}

/** A stretch of one state at one vantage: from its first observation to the next state's. */
export interface Run {
  state: SiteState;
  from: number;
  /** Start of the first observation in another state; absent while the run lasts. */
  to?: number;
}

/** Consecutive observations in the same state, merged into runs. */
export function runs(list: Observation[]): Run[] {
  const out: Run[] = [];
  for (const o of list) {
    const last = out.at(-1);
    if (last?.state === o.state) continue;
    if (last) last.to = o.startedAt;
    out.push({ state: o.state, from: o.startedAt });
  }
  return out;
}

export const vantageOf = (view: SiteView, name: string) =>
  view.vantages.find((v) => v.vantage === name);

/** Node vantages of a view in a given state. */
export const nodesIn = (view: SiteView, state: SiteState) =>
  view.vantages.filter((v) => v.vantage.startsWith('node:') && v.state === state);

/** Prints measured figures with FRESHPROBE_PRINT=1 (they go into the issue report). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  if (process.env.FRESHPROBE_PRINT) console.info(`[${scenario}]`, JSON.stringify(figures));
}
