/**
 * Retention: a pass over a million expired observations (plus old canaries,
 * aggregates, sent notifications and gaps) deletes them in small batches
 * while five sites keep probing every second; probing is never stalled
 * (scheduling lag and batch times are measured), the freed pages go back to
 * the file system (incremental vacuum), and integrity_check stays "ok".
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import type { FullStore, PruneTable } from '../../src/core/store.js';
import { type Bootstrapped, bootstrap } from '../../src/runtime/bootstrap.node.js';
import { retentionPass } from '../../src/runtime/ops.node.js';
import { Scheduler } from '../../src/runtime/scheduler.node.js';
import { openSqliteStore } from '../../src/storage/sqlite.node.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { opsStoreContract } from './ops-store-contract.js';
import { seedObservations } from './seed.js';
import { sleep } from './support.js';

const DAY = 86_400_000;
const ROWS = 1_000_000;
let dir: string;
let origin: StaticServer;
let boot: Bootstrapped | undefined;
let scheduler: Scheduler | undefined;

opsStoreContract('better-sqlite3', async () => openSqliteStore(':memory:').store);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-retention-'));
  await mkdir(join(dir, 'www'));
  origin = await startStaticServer(join(dir, 'www'));
});

afterAll(async () => {
  await scheduler?.stop();
  await boot?.close();
  await origin?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Old rows in every table retention looks after, next to rows it must keep. */
async function plantHistory(store: FullStore, now: number): Promise<void> {
  const old = now - 200 * DAY;
  for (const site of ['site-7', 'site-8']) {
    for (let i = 0; i < 3; i++) {
      const c = await store.createCanary({
        siteId: site,
        token: `${site}-${i}`,
        intentAt: old,
        reason: 'x',
      });
      await store.updateCanary({ ...c, state: 'visible', closedAt: old + 1 });
    }
  }
  await store.createCanary({ siteId: 'site-7', token: 'site-7-open', intentAt: old, reason: 'x' });
  const probe = (startedAt: number) => ({
    siteId: 'site-7',
    vantage: 'edge',
    startedAt,
    durationMs: 9,
    state: 'fresh' as const,
    cache: {},
  });
  await store.countProbe(probe(old));
  await store.countProbe(probe(now));
  await store.recordObservation(probe(now - DAY)); // recent: kept
  await store.recomputeDay('site-7', old - (old % DAY));
  await store.recordGap({ kind: 'down', startedAt: old, endedAt: old + 1 });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

describe('retention', () => {
  it(`prunes ${ROWS} expired observations without stalling probing`, async () => {
    const now = Date.now();
    const file = join(dir, 'db.sqlite');
    const seedMs = seedObservations(file, { rows: ROWS, sites: 10, from: now - 90 * DAY });
    const sites = [0, 1, 2, 3, 4].map((i) => ({
      id: `site-${i}`,
      url: `${origin.url}/`,
      canary: { path: `/site-${i}/canary.json` },
      deploy: { kind: 'local-dir', dir: join(dir, 'www') },
      probe: { vantages: ['edge', 'origin'], interval: '1s', timeout: '2s' },
      schedule: '0 0 1 1 *',
    }));
    const { config } = parseConfigObject({ storage: { sqlite: file }, sites }, {});
    boot = await bootstrap(config, silentLogger, [], dir);
    const { store } = boot.deps;
    await plantHistory(store, now);
    const lags: number[] = [];
    let pruning = false;
    scheduler = new Scheduler(boot.deps, { onLag: (ms) => pruning && lags.push(ms) });
    for (const rt of boot.runtimes) scheduler.add(rt, undefined);
    await sleep(2_000);

    const batches: number[] = [];
    const timed: FullStore = {
      ...store,
      pruneBatch: async (table: PruneTable, before: number, limit: number, siteId?: string) => {
        const t = performance.now();
        const n = await store.pruneBatch(table, before, limit, siteId);
        batches.push(performance.now() - t);
        return n;
      },
    };
    const pagesBefore = boot.db.sqlite.pragma('page_count', { simple: true }) as number;
    const eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
    pruning = true;
    const started = performance.now();
    const pass = retentionPass({
      store: timed,
      sqlite: boot.db.sqlite,
      config: () => config,
      now: () => Date.now(),
      log: silentLogger,
    });
    const deleted = await pass(() => false);
    const passMs = performance.now() - started;
    pruning = false;
    eld.disable();
    await scheduler.stop();

    const sqlite = boot.db.sqlite;
    expect(deleted.observations).toBe(ROWS);
    expect(deleted).toMatchObject({
      canaries: 5,
      hourly_vantage: 1,
      daily_freshness: 1,
      monitor_gaps: 1,
    });
    const left = sqlite
      .prepare(
        "SELECT site_id || '#' || seq AS c FROM canaries WHERE site_id IN ('site-7', 'site-8') ORDER BY 1",
      )
      .all();
    expect(left.map((r) => (r as { c: string }).c)).toEqual(['site-7#4', 'site-8#3']);
    expect(
      sqlite.prepare("SELECT count(*) AS n FROM observations WHERE site_id = 'site-7'").get(),
    ).toEqual({ n: 1 });
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(sqlite.pragma('freelist_count', { simple: true })).toBe(0);
    const pagesAfter = sqlite.pragma('page_count', { simple: true }) as number;
    expect(pagesAfter).toBeLessThan(pagesBefore / 3);

    const sorted = [...lags].sort((a, b) => a - b);
    const maxBatch = Math.max(...batches);
    console.info(
      `retention: seeded ${ROWS} in ${(seedMs / 1000).toFixed(1)} s; pass ${(passMs / 1000).toFixed(1)} s ` +
        `(${batches.length} batches, max ${maxBatch.toFixed(0)} ms, p50 ${percentile(
          [...batches].sort((a, b) => a - b),
          0.5,
        ).toFixed(1)} ms); ` +
        `file ${pagesBefore} -> ${pagesAfter} pages; scheduling lag during the pass over ${lags.length} steps: ` +
        `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms; ` +
        `event loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(0)} ms`,
    );
    // Probing went on: about one step per site and second of the pass (half allows for a busy machine).
    expect(lags.length).toBeGreaterThan((passMs / 1000) * sites.length * 0.5);
    expect(percentile(sorted, 0.99)).toBeLessThan(1_000);
    expect(maxBatch).toBeLessThan(1_000);
  }, 300_000);
});
