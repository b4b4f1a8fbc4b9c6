/**
 * A storage simulation: the real core (stepSite, the adaptive polling, the
 * store on a real SQLite file) driven by a fake clock through simulated
 * days, with a deployer that accepts at once and an edge that shows each
 * canary after a latency. What it stores is what `serve` would store.
 */
import { requestCanary } from '../src/core/deploy.js';
import { type CoreDeps, silentLogger } from '../src/core/deps.js';
import type { ProbeResult } from '../src/core/model.js';
import type { Deployer, Prober } from '../src/core/ports.js';
import type { SiteRuntime, SiteSpec } from '../src/core/site.js';
import { stepSite } from '../src/core/step.js';
import type { FullStore } from '../src/core/store.js';

const HALF_HOUR = 30 * 60_000;

interface Published {
  acceptedAt: number;
  /** When the edge starts serving it (origin sees it at a third of the delay). */
  edgeAt: number;
  body: string;
}

/** Deterministic, so two runs store the same rows. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `chars` hex digits: a canary token is 32 (128 bits), a git commit SHA 40. */
function hex(random: () => number, chars: number): string {
  let out = '';
  while (out.length < chars)
    out += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, chars);
}

/** Accepts at once; its receipt carries a commit SHA, as the git and API deployers' do. */
function fakeDeployer(
  now: () => number,
  published: Published[],
  latencyMs: () => number,
  random: () => number,
): Deployer {
  return {
    kind: 'sim',
    deploy: async (req) => {
      const at = now();
      published.push({ acceptedAt: at, edgeAt: at + latencyMs(), body: req.content });
      return { startedAt: at, acceptedAt: at, detail: hex(random, 40) };
    },
  };
}

function fakeProber(vantage: 'edge' | 'origin', now: () => number, published: Published[]): Prober {
  const seenAt = (p: Published) =>
    vantage === 'edge' ? p.edgeAt : p.acceptedAt + (p.edgeAt - p.acceptedAt) / 3;
  return {
    kind: vantage,
    probe: async (): Promise<ProbeResult[]> => {
      const t = now();
      const served = published.filter((p) => seenAt(p) <= t).at(-1);
      const cache = {
        age: 42,
        cacheControl: 'max-age=600',
        etag: `"${(served?.acceptedAt ?? 0).toString(16)}"`,
        lastModified: new Date(served?.acceptedAt ?? 0).toUTCString(),
        cacheStatus: 'hit' as const,
        pop: 'cache-fra-etou8220123-FRA',
      };
      if (!served)
        return [{ vantage, startedAt: t, durationMs: 48, status: 404, body: 'not found', cache }];
      return [{ vantage, startedAt: t, durationMs: 48, status: 200, body: served.body, cache }];
    },
  };
}

export interface SimOptions {
  store: FullStore;
  spec: SiteSpec;
  /** Median deploy-to-visible latency at the edge, ms (each canary 0.5x-1.5x). */
  latencyMs: number;
  from: number;
  days: number;
  seed: number;
}

/** Runs one site through `days` of canaries every 30 minutes; returns steps taken. */
export async function simulateSite(opts: SimOptions): Promise<number> {
  let t = opts.from;
  const now = () => t;
  const random = prng(opts.seed);
  const published: Published[] = [];
  const rt: SiteRuntime = {
    spec: opts.spec,
    deployer: fakeDeployer(now, published, () => opts.latencyMs * (0.5 + random()), random),
    probers: [fakeProber('edge', now, published), fakeProber('origin', now, published)],
  };
  const deps: CoreDeps = {
    store: opts.store,
    clock: { now },
    log: silentLogger,
    newToken: () => hex(random, 32),
  };
  await opts.store.upsertSite(opts.spec, t);
  const end = opts.from + opts.days * 86_400_000;
  let nextCanary = opts.from;
  let nextStep = opts.from;
  let steps = 0;
  while (t < end) {
    t = Math.min(nextCanary, nextStep);
    if (nextCanary <= nextStep) {
      await requestCanary(deps, opts.spec, 'schedule');
      nextCanary += HALF_HOUR;
      nextStep = t;
      continue;
    }
    nextStep = Math.max((await stepSite(deps, rt)).nextDueAt, t + 1);
    steps++;
  }
  // The daily rollup, one row per site and day, as the status page's 90-day bar reads it.
  for (let day = opts.from; day < end; day += 86_400_000)
    await opts.store.recomputeDay(opts.spec.id, day);
  return steps;
}
