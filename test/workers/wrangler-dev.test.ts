/**
 * The Worker under `wrangler dev --local` answers like the Node server: the
 * same rows seeded into a Node store and into local D1 (migrations applied by
 * wrangler itself, rows loaded with `wrangler d1 execute --file`) give the
 * same Statuspage summary and sites API, volatile fields aside.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import { createApp } from '../../src/http/app.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { freePort } from '../bed/free-port.js';
import { seedHistory } from '../http/seed-history.js';
import { incidentFor } from '../http/seed-incidents.js';
import { dumpRows } from './sql-dump.js';
import { startWranglerDev, type WranglerDev, wrangler } from './wrangler.js';

const HOUR = 3_600_000;
const { config } = parseConfigObject(
  {
    server: { publicUrl: 'https://status.example.com' },
    // An hour between probes: the seeded vantages stay current (no no_data) while the test runs.
    defaults: { probe: { vantages: ['edge', 'origin'], interval: '1h' } },
    sites: ['docs', 'blog', 'shop'].map((id) => ({
      id,
      name: `${id} site`,
      group: id === 'shop' ? undefined : 'Content',
      url: `https://${id}.example.com/`,
      runbook: `https://wiki.example.com/runbooks/${id}`,
      deploy: { kind: 'webhook', url: 'https://hooks.example.com/never-called' },
    })),
  },
  {},
);

let dir: string;
let node: SqliteHandle;
let dev: WranglerDev | undefined;
let nodeApp: ReturnType<typeof createApp>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-wrangler-'));
  const now = Date.now();
  node = openSqliteStore(join(dir, 'node.db'));
  const scenarios = ['fresh', 'missing', 'error'] as const;
  const sites = config.sites.map((spec, i) => ({ spec, scenario: scenarios[i]! }));
  await seedHistory(node.store, sites, { now, days: 5, canariesPerDay: 6 });
  await node.store.putIncident(incidentFor(config.sites[1]!, now, 'open', HOUR));
  await node.store.putIncident(incidentFor(config.sites[0]!, now, 'resolved', 30 * HOUR));
  await writeFile(join(dir, 'seed.sql'), dumpRows(node.sqlite));
  await writeFile(join(dir, '.env'), `FRESHPROBE_CONFIG='${JSON.stringify(configText())}'\n`);

  const persist = ['--local', '--persist-to', join(dir, 'd1')];
  await wrangler(['d1', 'migrations', 'apply', 'freshprobe', ...persist]);
  await wrangler(['d1', 'execute', 'freshprobe', ...persist, '--file', join(dir, 'seed.sql')]);
  const inspector = await freePort();
  const devArgs = ['--persist-to', join(dir, 'd1'), '--env-file', join(dir, '.env')];
  dev = await startWranglerDev(
    [...devArgs, '--inspector-port', String(inspector)],
    await freePort(),
  );
  nodeApp = createApp({
    store: node.store,
    clock: { now: () => Date.now() },
    log: silentLogger,
    publicUrl: config.server.publicUrl,
    sites: () => config.sites,
    adminToken: () => undefined,
    readiness: () => ({ ready: true }),
    requestCanary: () => Promise.reject(new Error('not in this test')),
    registerDeploy: () => Promise.reject(new Error('not in this test')),
  });
}, 300_000);

afterAll(async () => {
  await dev?.stop();
  node?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The config as the Worker reads it: the same file, as JSON text. */
function configText() {
  return {
    server: { publicUrl: config.server.publicUrl },
    defaults: { probe: { vantages: ['edge', 'origin'], interval: '1h' } },
    sites: config.sites.map((s) => ({
      id: s.id,
      name: s.name,
      ...(s.group ? { group: s.group } : {}),
      url: s.url,
      runbook: s.runbook,
      deploy: { kind: 'webhook', url: 'https://hooks.example.com/never-called' },
    })),
  };
}

/** Both answers, fetched together so `now`-dependent wording matches. */
async function both(path: string): Promise<[unknown, unknown]> {
  const [fromNode, fromWorker] = await Promise.all([
    nodeApp.request(path),
    fetch(`${dev!.url}${path}`),
  ]);
  expect(fromWorker.status, dev!.output()).toBe(200);
  expect(fromNode.status).toBe(200);
  return [await fromNode.json(), await fromWorker.json()];
}

/** Drops what says when the answer was made, not what it says. */
function stable(value: unknown): unknown {
  const page = (value as { page?: { updated_at?: string } }).page;
  if (page) delete page.updated_at;
  return value;
}

describe('wrangler dev --local', () => {
  it('answers /api/v2/summary.json with the same JSON as the Node server', async () => {
    const [fromNode, fromWorker] = await both('/api/v2/summary.json');
    expect(stable(fromWorker)).toEqual(stable(fromNode));
    const summary = fromWorker as { components: unknown[]; incidents: unknown[] };
    expect(summary.components.length).toBeGreaterThanOrEqual(3);
    expect(summary.incidents).toHaveLength(1);
  });

  it('answers /api/v1/sites with the same JSON as the Node server', async () => {
    const [fromNode, fromWorker] = await both('/api/v1/sites');
    expect(fromWorker).toEqual(fromNode);
    const states = (fromWorker as { sites: Array<{ state: string }> }).sites.map((s) => s.state);
    expect(states).toEqual(['fresh', 'missing', 'error']);
  });
});
