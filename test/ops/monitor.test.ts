/**
 * Self-monitoring: a monitor that stopped watching must say so. Long pauses
 * and clock jumps become no-data gaps (never uptime, left out of the
 * availability SLI, shown by the API); a stopped scheduler turns the pages
 * and the API to "monitoring data stale" and /readyz to 503; a SIGSTOPped
 * serve is seen as stale by a second reader on the same database, and
 * records the pause once it runs again.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import type { HourlyVantage, MonitorGap } from '../../src/core/store.js';
import { createApp } from '../../src/http/app.js';
import { hoursOutsideGaps } from '../../src/http/slo-view.js';
import { classifyBeat, startHeartbeat } from '../../src/runtime/heartbeat.node.js';
import { monitorView } from '../../src/runtime/ops.node.js';
import { Scheduler, TICK_MS } from '../../src/runtime/scheduler.node.js';
import { type RunningServer, startServer } from '../../src/runtime/serve.node.js';
import { openSqliteStore } from '../../src/storage/sqlite.node.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { getJson, removeBundle, type Served, sleep, spawnServe, waitFor } from './support.js';

let dir: string;
let origin: StaticServer;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-monitor-'));
  await mkdir(join(dir, 'www'));
  origin = await startStaticServer(join(dir, 'www'));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await origin?.close();
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;

describe('gaps', () => {
  const at = (wall: number, mono: number) => ({ wall, mono });

  it('tells a late beat, a pause, a clock jump and a suspend apart', () => {
    expect(classifyBeat(at(0, 0), at(5_000, 5_000), 5_000)).toBeUndefined();
    expect(classifyBeat(at(0, 0), at(12_000, 12_000), 5_000)).toBeUndefined(); // GC, slow disk
    expect(classifyBeat(at(0, 0), at(60_000, 60_000), 5_000)).toMatchObject({
      kind: 'pause',
      startedAt: 0,
      endedAt: 60_000,
    });
    expect(classifyBeat(at(0, 0), at(HOUR, 5_000), 5_000)).toMatchObject({
      kind: 'clock_jump',
      endedAt: HOUR,
    });
    expect(classifyBeat(at(HOUR, 0), at(0, 5_000), 5_000)).toMatchObject({
      kind: 'clock_jump',
      startedAt: 0,
      endedAt: HOUR,
    });
  });

  it('records a down gap at start and a pause while running', async () => {
    const db = openSqliteStore(':memory:');
    cleanups.push(async () => db.close());
    await db.store.putHeartbeat({ at: 1_000_000, processStartedAt: 0, pid: 1 });
    let wall = 1_000_000 + 10 * 60_000;
    let mono = 0;
    const hb = await startHeartbeat({
      store: db.store,
      log: silentLogger,
      periodMs: 60_000,
      wallNow: () => wall,
      monoNow: () => mono,
    });
    await hb.stop();
    wall += 60_000;
    mono += 60_000;
    await hb.beat();
    wall += 30 * 60_000; // SIGSTOP, a VM pause: both clocks moved on
    mono += 30 * 60_000;
    await hb.beat();
    const gaps = await db.store.listGaps(0);
    expect(gaps.map((g) => g.kind)).toEqual(['down', 'pause']);
    expect(gaps[0]).toMatchObject({ startedAt: 1_000_000, endedAt: 1_000_000 + 10 * 60_000 });
    expect((await db.store.getHeartbeat())?.at).toBe(wall);
  });

  it('leaves hours touched by a gap out of availability', () => {
    const hour = (h: number): HourlyVantage => ({
      siteId: 's',
      vantage: 'edge',
      hour: h * HOUR,
      total: 60,
      fresh: 60,
      propagating: 0,
      stale: 0,
      missing: 0,
      error: 0,
      durationSumMs: 0,
      durationMaxMs: 0,
    });
    const gap: MonitorGap = { kind: 'pause', startedAt: 2.5 * HOUR, endedAt: 4 * HOUR };
    expect(hoursOutsideGaps([0, 1, 2, 3, 4, 5].map(hour), [gap]).map((h) => h.hour / HOUR)).toEqual(
      [0, 1, 4, 5],
    );
  });
});

const siteYaml = (sqlite: string, interval = '1s') => `server: { rateLimit: { enabled: false } }
storage: { sqlite: ${sqlite} }
sites:
  - id: docs
    url: ${origin.url}/
    deploy: { kind: local-dir, dir: ${join(dir, 'www')} }
    probe: { vantages: [edge], interval: ${interval}, timeout: 1s }
    schedule: "0 0 1 1 *"
`;

interface SiteJson {
  state: string;
  slo: { gaps: MonitorGap[] };
}

describe('a stopped monitor', () => {
  it('reads as stale in the API and pages, and is not ready, once its scheduler stops', async () => {
    const raw = (await import('yaml')).parse(siteYaml(join(dir, 'inproc.sqlite')));
    const loaded = parseConfigObject(raw, {});
    const server: RunningServer = await startServer({
      loaded,
      log: silentLogger,
      port: 0,
      host: '127.0.0.1',
    });
    cleanups.push(() => server.close());
    const url = `http://127.0.0.1:${server.port}`;
    await waitFor(
      async () => (await getJson<SiteJson>(`${url}/api/v1/sites/docs`)).state === 'fresh',
      20_000,
      'fresh',
    );
    await server.scheduler.stop();
    await sleep(2_500); // 2x the probe interval without an observation
    expect((await getJson<SiteJson>(`${url}/api/v1/sites/docs`)).state).toBe('no_data');
    expect(await (await fetch(`${url}/`)).text()).toMatch(/monitoring (data )?(is )?stale/i);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(await getJson(`${url}/api/v1/monitor`)).toMatchObject({
      ready: false,
      reason: 'scheduler stopped',
    });
  });

  it('is stale to a second reader while SIGSTOPped, and records the pause after SIGCONT', async () => {
    await writeFile(join(dir, 'stop.yaml'), siteYaml('stop.sqlite'));
    const served: Served = await spawnServe(['--config', 'stop.yaml', '--port', '0'], {
      cwd: dir,
      env: { FRESHPROBE_HEARTBEAT_MS: '300' },
    });
    cleanups.push(async () => {
      served.kill('SIGCONT');
      served.kill('SIGKILL');
      await served.exited;
    });
    const url = await served.listening;
    await waitFor(
      async () => (await getJson<SiteJson>(`${url}/api/v1/sites/docs`)).state === 'fresh',
      20_000,
      'fresh',
    );
    served.kill('SIGSTOP');
    await sleep(3_000);
    // A second reader on the same database (a replica status server, an operator's script).
    const reader = openSqliteStore(join(dir, 'stop.sqlite'));
    cleanups.push(async () => reader.close());
    const config = parseConfigObject(
      (await import('yaml')).parse(siteYaml('stop.sqlite')),
      {},
    ).config;
    const app = createApp({
      store: reader.store,
      clock: { now: () => Date.now() },
      log: silentLogger,
      sites: () => config.sites,
      adminToken: () => undefined,
      readiness: () => ({ ready: true }),
      requestCanary: () => Promise.reject(new Error('read only')),
      registerDeploy: () => Promise.reject(new Error('read only')),
      monitor: (since) =>
        monitorView(reader.store, () => ({ ready: true }), {
          now: Date.now(),
          since,
          heartbeatMs: 300,
        }),
    });
    expect(((await (await app.request('/api/v1/sites/docs')).json()) as SiteJson).state).toBe(
      'no_data',
    );
    expect(await (await app.request('/api/v1/monitor')).json()).toMatchObject({ stale: true });
    served.kill('SIGCONT');
    const gap = await waitFor(
      async () => {
        const view = await getJson<{ gaps: MonitorGap[]; stale: boolean }>(`${url}/api/v1/monitor`);
        return view.gaps.find((g) => g.kind === 'pause' && g.endedAt - g.startedAt >= 2_500);
      },
      15_000,
      'a pause gap',
    );
    expect(gap.detail).toMatch(/no heartbeat for \d+ s/);
    const site = await getJson<SiteJson>(`${url}/api/v1/sites/docs`);
    expect(site.slo.gaps).toContainEqual(gap);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/freshprobe_monitor_gaps_total\{kind="pause"\} [1-9]/);
  }, 60_000);
});

describe('scheduler health', () => {
  it('is not ready when its tick stops, a due step is late, or it was stopped', async () => {
    let now = 1_000_000;
    const db = openSqliteStore(':memory:');
    const deps = {
      store: db.store,
      clock: { now: () => now },
      log: silentLogger,
      newToken: () => 'x',
    };
    const scheduler = new Scheduler(deps);
    cleanups.push(async () => {
      await scheduler.stop();
      db.close();
    });
    expect(scheduler.health()).toEqual({ ok: true });
    now += 2 * TICK_MS + 1; // the process was frozen: the tick did not fire
    expect(scheduler.health()).toEqual({
      ok: false,
      reason: 'scheduler stalled: no tick for 10 s',
    });
    await scheduler.stop();
    expect(scheduler.health(scheduler.lastTickAt)).toEqual({
      ok: false,
      reason: 'scheduler stopped',
    });
  });
});
