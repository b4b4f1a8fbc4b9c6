/**
 * What the Worker's cadence does to the error bound, measured with the real
 * cycle (worker-cycle.ts) on a simulated clock: a site that shows a canary
 * 25 s after the deploy is accepted. Woken only by the once-a-minute cron, the
 * bound is about 60 s wide; woken by the probe loop's alarm at each due time
 * (the Durable Object), it is the adaptive poll's width, about 10% of the
 * latency (2.5 s here), as on Node.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { newToken } from '../../src/core/canary.js';
import { type CoreDeps, silentLogger } from '../../src/core/deps.js';
import type { Canary } from '../../src/core/model.js';
import type { Deployer, Prober } from '../../src/core/ports.js';
import { runCycle } from '../../src/runtime/worker-cycle.js';
import { openSqliteStore } from '../../src/storage/sqlite.node.js';

const VISIBLE_AFTER_MS = 25_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** One site on an in-memory store, whose host publishes 25 s after accepting a deploy. */
async function world() {
  let now = T0;
  let published: { content: string; at: number } | undefined;
  const deployer: Deployer = {
    kind: 'fake',
    deploy: async (req) => {
      published = { content: req.content, at: now + VISIBLE_AFTER_MS };
      return { startedAt: now, acceptedAt: now };
    },
  };
  const prober: Prober = {
    kind: 'edge',
    probe: async () => {
      const body = published && now >= published.at ? published.content : undefined;
      return [
        {
          vantage: 'edge',
          startedAt: now,
          durationMs: 50,
          status: body ? 200 : 404,
          body,
          cache: {},
        },
      ];
    },
  };
  const { config } = parseConfigObject(
    {
      defaults: { schedule: '0 0 1 1 *', probe: { vantages: ['edge'], interval: '60s' } },
      sites: [
        {
          id: 'docs',
          url: 'https://docs.example.com/',
          deploy: { kind: 'webhook', url: 'https://hooks.example.com/x' },
        },
      ],
    },
    {},
  );
  const db = openSqliteStore(':memory:');
  const deps: CoreDeps = {
    store: db.store,
    clock: { now: () => now },
    log: silentLogger,
    newToken,
  };
  await db.store.upsertSite(config.sites[0]!, now);
  const ctx = { deps, sites: config.sites, notifiers: new Map(), dueAt: new Map<string, number>() };
  const runtimes = [{ spec: config.sites[0]!, deployer, probers: [prober] }];
  return {
    cycle: () => runCycle({ ...ctx, runtimes }),
    setNow: (t: number) => {
      now = t;
    },
    canary: async (): Promise<Canary> => (await db.store.getCanary('docs', 1))!,
    close: () => db.close(),
  };
}

function width(c: Canary): number {
  const [lo, hi] = c.latencyBoundsMs!;
  return hi - lo;
}

describe('Worker cadence and the latency bound', () => {
  it('cron only (once a minute): the bound is about 60 s wide', async () => {
    const w = await world();
    for (let minute = 0; (await w.canary())?.state !== 'visible'; minute++) {
      w.setNow(T0 + minute * 60_000);
      await w.cycle();
      expect(minute).toBeLessThan(5);
    }
    const canary = await w.canary();
    expect(canary.latencyMs).toBe(60_050);
    expect(width(canary)).toBeGreaterThanOrEqual(59_000);
    w.close();
  });

  it('probe loop alarm at each due time: the bound is the adaptive poll, about 10% of the latency', async () => {
    const w = await world();
    let t = T0;
    for (let cycles = 0; (await w.canary())?.state !== 'visible'; cycles++) {
      w.setNow(t);
      const { nextDueAt } = await w.cycle();
      // What ProbeLoop.alarm does: next alarm at the due time, never closer than 500 ms.
      t = Math.max(nextDueAt, t + 500);
      expect(cycles).toBeLessThan(100);
    }
    const canary = await w.canary();
    expect(canary.latencyMs).toBeGreaterThanOrEqual(VISIBLE_AFTER_MS);
    expect(width(canary)).toBeLessThanOrEqual(0.1 * VISIBLE_AFTER_MS + 100);
    w.close();
  });
});
