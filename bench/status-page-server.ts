/**
 * The status page bench's server process: the real createApp over a SQLite
 * file seeded with N sites x 90 days (reused across runs: seeding 1,000 sites
 * takes minutes), vantage statuses kept current as a running prober would,
 * and server time recorded per route around app.fetch. Talks to its parent
 * over IPC: {port} when listening, {stats} on request.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { silentLogger } from '../src/core/deps.js';
import { createApp } from '../src/http/app.js';
import { loadWebAssets } from '../src/http/assets.node.js';
import { type NodeFastHandler, nodeFastHandler, peerAddress } from '../src/http/fast-path.node.js';
import { openListener } from '../src/runtime/listen.node.js';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { bulkWriter } from '../test/http/seed-bulk.js';
import { type SeedSite, seedHistory, siteSpec } from '../test/http/seed-history.js';
import { incidentFor } from '../test/http/seed-incidents.js';

export interface ServerOptions {
  sites: number;
  perDay: number;
  db: string;
  /** Every request through Hono: no badge fast path (to compare with it). */
  honoOnly?: boolean;
}

function specs(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const id = `site-${String(i).padStart(4, '0')}`;
    return siteSpec(id, { name: `Site ${String(i).padStart(4, '0')}`, group: `Group ${i % 20}` });
  });
}

/** Mostly fresh, as a real fleet is; a few stale, missing and silent sites keep every path warm. */
function seedSites(n: number): SeedSite[] {
  return specs(n).map((spec, i) => ({
    spec,
    scenario:
      i % 50 === 7 ? 'stale_nodes' : i % 97 === 3 ? 'missing' : i % 89 === 5 ? 'no_data' : 'fresh',
  }));
}

async function seedFile(o: ServerOptions): Promise<void> {
  if (existsSync(o.db)) return;
  const tmp = `${o.db}.${process.pid}.tmp`;
  const handle = openSqliteStore(tmp);
  const now = Date.now();
  const sites = seedSites(o.sites);
  handle.sqlite.exec('BEGIN');
  await seedHistory(handle.store, sites, {
    now,
    canariesPerDay: o.perDay,
    writer: bulkWriter(handle.sqlite),
    gapDays: [33, 34],
    badDays: [6, 51],
  });
  for (const [i, { spec }] of sites.entries())
    if (i % 100 === 7)
      await handle.store.putIncident(
        incidentFor(spec, now, i % 200 === 7 ? 'open' : 'resolved', 3 * 3_600_000),
      );
  handle.sqlite.exec('COMMIT');
  handle.close();
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, o.db);
}

/**
 * What a prober keeps doing: every vantage observed within the last interval,
 * except at the sites seeded as silent (no_data). One statement, so the bench
 * does not time its own bookkeeping.
 */
function touchStatuses(sqlite: Database.Database, silent: string[]): void {
  const marks = silent.map(() => '?').join(',');
  sqlite
    .prepare(`UPDATE vantage_status SET last_observed_at = ? WHERE site_id NOT IN (${marks})`)
    .run(Date.now() - 5_000, ...silent);
}

const timings = new Map<string, number[]>();

function routeOf(path: string): string {
  if (path.startsWith('/badge/')) return 'badge';
  if (path.startsWith('/api/v2/')) return path;
  if (path.startsWith('/sites/')) return path.endsWith('.svg') ? 'bar' : 'site';
  return path;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  await seedFile(o);
  const handle = openSqliteStore(o.db);
  const silent = seedSites(o.sites)
    .filter((s) => s.scenario === 'no_data')
    .map((s) => s.spec.id);
  touchStatuses(handle.sqlite, silent);
  setInterval(() => touchStatuses(handle.sqlite, silent), 20_000).unref();
  const app = createApp({
    store: handle.store,
    clock: { now: () => Date.now() },
    log: silentLogger,
    sites: (() => {
      const list = specs(o.sites);
      return () => list;
    })(),
    adminToken: () => undefined,
    readiness: () => ({ ready: true }),
    requestCanary: () => Promise.reject(new Error('bench')),
    registerDeploy: () => Promise.reject(new Error('bench')),
    assets: await loadWebAssets(silentLogger),
  });
  const record = (target: string, started: number) => {
    const query = target.indexOf('?');
    const route = routeOf(target.slice(0, query < 0 ? undefined : query));
    const list = timings.get(route) ?? [];
    list.push(performance.now() - started);
    timings.set(route, list);
  };
  const timed = async (request: Request): Promise<Response> => {
    const started = performance.now();
    const response = await app.fetch(request);
    const url = request.url;
    record(url.slice(url.indexOf('/', url.indexOf('//') + 2)), started);
    return response;
  };
  // The listener `serve` uses, badge fast path included. Its time includes handing the
  // response to Node (res.end), which app.fetch's does not: not comparable with --hono-only.
  const fast = nodeFastHandler(app, (req) => peerAddress(req, false));
  const timedFast: NodeFastHandler = (req, res) => {
    const started = performance.now();
    const answered = fast?.(req, res) ?? false;
    if (answered) record(req.url ?? '/', started);
    return answered;
  };
  const listener = await openListener({ port: 0, host: '127.0.0.1' });
  listener.setApp(timed, o.honoOnly ? undefined : timedFast);
  process.send?.({ port: listener.port });
  process.on('message', (m: { stats?: boolean }) => {
    if (!m.stats) return;
    process.send?.({ stats: Object.fromEntries(timings) });
    timings.clear();
  });
  process.on('SIGTERM', () => listener.close().then(() => process.exit(0)));
}

await main();
