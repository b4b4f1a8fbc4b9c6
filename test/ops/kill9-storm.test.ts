/**
 * Acceptance: 100 kill -9 at random moments while `serve` is busy (four
 * sites probing every second, canaries requested through the admin API,
 * deploys in flight). Afterwards no acknowledged canary is lost, seqs are
 * contiguous per site (none duplicated or skipped), every canary reaches a
 * verdict in a final calm run, and SQLite's integrity_check says "ok".
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { removeBundle, type Served, spawnServe, waitFor } from './support.js';

const KILLS = 100;
const SITES = ['s1', 's2', 's3', 's4'];
const TOKEN = 'storm-admin-token-0123456789';
let dir: string;
let origin: StaticServer;
let running: Served | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-storm-'));
  await mkdir(join(dir, 'www'));
  origin = await startStaticServer(join(dir, 'www'));
  const sites = SITES.map(
    (id) => `  - id: ${id}
    url: ${origin.url}/
    canary: { path: /${id}/freshprobe/canary.json }
    deploy: { kind: local-dir, dir: ${join(dir, 'www')} }
    probe: { vantages: [edge, origin], interval: 1s, timeout: 2s }
    schedule: "0 0 1 1 *"
    timeout: 60s
    slo: { threshold: 30s }`,
  );
  await writeFile(
    join(dir, 'freshprobe.yaml'),
    `server: { adminToken: ${TOKEN}, rateLimit: { enabled: false } }
storage: { sqlite: ${join(dir, 'db.sqlite')} }
sites:
${sites.join('\n')}
`,
  );
});

afterAll(async () => {
  running?.kill('SIGKILL');
  await running?.exited;
  await origin?.close();
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests a canary; resolves with its seq when the server acknowledged it (202). */
async function requestCanary(url: string, site: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/sites/${site}/canaries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return res.status === 202 ? ((await res.json()) as { seq: number }).seq : undefined;
  } catch {
    return undefined; // killed mid-request: it may or may not exist, contiguity still holds
  }
}

/** One life: start, (usually) wait until listening, make work, die at a random moment. */
async function life(i: number, acked: Array<[string, number]>): Promise<void> {
  const served = await spawnServe(['--config', join(dir, 'freshprobe.yaml')], { cwd: dir });
  running = served;
  // One life in ten dies during start-up itself (migrations, first steps).
  const url = i % 10 === 9 ? undefined : await served.listening.catch(() => undefined);
  if (url)
    for (const site of [pick(SITES), pick(SITES)])
      void requestCanary(url, site).then((seq) => seq && acked.push([site, seq]));
  await sleep(Math.random() * 400);
  served.kill('SIGKILL');
  await served.exited;
}

interface Row {
  site_id: string;
  seq: number;
  state: string;
  closed_at: number | null;
}

describe('kill -9 storm', () => {
  it(`survives ${KILLS} kill -9 during busy probing without losing or duplicating canaries`, async () => {
    const acked: Array<[string, number]> = [];
    const started = Date.now();
    for (let i = 0; i < KILLS; i++) await life(i, acked);
    const stormMs = Date.now() - started;

    const calm = await spawnServe(['--config', join(dir, 'freshprobe.yaml')], { cwd: dir });
    running = calm;
    await calm.listening;
    const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
    const open = db.prepare('SELECT count(*) AS n FROM canaries WHERE closed_at IS NULL');
    await waitFor(() => (open.get() as { n: number }).n === 0, 90_000, 'every canary closed');
    calm.kill('SIGTERM');
    expect((await calm.exited).code).toBe(0);

    const rows = db.prepare('SELECT site_id, seq, state, closed_at FROM canaries').all() as Row[];
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    for (const site of SITES) {
      const seqs = rows
        .filter((r) => r.site_id === site)
        .map((r) => r.seq)
        .sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, k) => k + 1)); // contiguous from 1: none lost or doubled
    }
    for (const [site, seq] of acked)
      expect(rows.some((r) => r.site_id === site && r.seq === seq)).toBe(true);
    expect(rows.every((r) => ['visible', 'timed_out', 'deploy_failed'].includes(r.state))).toBe(
      true,
    );
    expect(integrity).toBe('ok');
    console.info(
      `kill -9 storm: ${KILLS} kills in ${(stormMs / 1000).toFixed(1)} s, ${rows.length} canaries, ` +
        `${acked.length} acknowledged, ${rows.filter((r) => r.state === 'visible').length} visible`,
    );
  }, 400_000);
});
