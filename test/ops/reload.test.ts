/**
 * Acceptance: reload under load with an open canary. `POST
 * /api/v1/admin/reload` and SIGHUP apply a valid config as a diff (sites
 * added, removed, changed; the admin token replaced) while clients keep
 * reading, and the open canary of an unchanged site carries on to its verdict
 * with the same seq. An invalid config is rejected with its problems (400, or
 * a log line for SIGHUP) and the server keeps running the old one.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSite, startDemoSite } from '../../src/runtime/demo-site.node.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { getJson, removeBundle, type Served, sleep, spawnServe, waitFor } from './support.js';

const OLD_TOKEN = 'reload-admin-token-old-0123';
const NEW_TOKEN = 'reload-admin-token-new-4567';
let dir: string;
let slow: DemoSite;
let origin: StaticServer;
let served: Served | undefined;

interface SiteRef {
  id: string;
  name?: string;
  interval?: string;
  slow?: boolean;
}

function site(s: SiteRef): string {
  const url = s.slow ? slow.url : `${origin.url}/`;
  const deployDir = s.slow ? slow.stagingDir : join(dir, 'www', s.id);
  const path = s.slow ? '/freshprobe/canary.json' : `/${s.id}/freshprobe/canary.json`;
  return `  - id: ${s.id}
    name: ${s.name ?? s.id}
    url: ${url}
    canary: { path: ${path} }
    deploy: { kind: local-dir, dir: ${s.slow ? deployDir : join(dir, 'www')} }
    probe: { vantages: [edge], interval: ${s.interval ?? '1s'}, timeout: 2s }
    schedule: "0 0 1 1 *"
    timeout: 2m
    slo: { threshold: 1m }`;
}

function configText(token: string, sites: SiteRef[]): string {
  return `server: { adminToken: ${token}, rateLimit: { enabled: false } }
storage: { sqlite: db.sqlite }
sites:
${sites.map(site).join('\n')}
`;
}

const write = (text: string) => writeFile(join(dir, 'freshprobe.yaml'), text);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-reload-'));
  await mkdir(join(dir, 'www'));
  origin = await startStaticServer(join(dir, 'www'));
  // Publishes 8 s after each deploy: the canary stays open across the reloads.
  slow = await startDemoSite({ random: () => 0.99, minDelayMs: 8_000, maxDelayMs: 8_000 });
});

afterAll(async () => {
  served?.kill('SIGKILL');
  await served?.exited;
  await slow?.close();
  await origin?.close();
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

interface SiteJson {
  id: string;
  name: string;
}
interface CanaryJson {
  seq: number;
  state: string;
  deployedAt: number | null;
}

/** Clients reading all the time; any answer but 200 is recorded. */
function load(url: string) {
  const bad: string[] = [];
  let stop = false;
  const reader = async () => {
    while (!stop) {
      for (const path of ['/api/v1/sites', '/', '/api/v1/sites/keep'])
        await fetch(`${url}${path}`)
          .then((r) => r.status !== 200 && bad.push(`${path} ${r.status}`))
          .catch((e: Error) => bad.push(`${path} ${e.message}`));
    }
  };
  const readers = [reader(), reader(), reader()];
  return {
    bad,
    stop: async () => {
      stop = true;
      await Promise.all(readers);
    },
  };
}

const reload = (url: string, token: string) =>
  fetch(`${url}/api/v1/admin/reload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

const ids = async (url: string) =>
  (await getJson<{ sites: SiteJson[] }>(`${url}/api/v1/sites`)).sites.map(
    (s) => `${s.id}:${s.name}`,
  );

describe('live reload', () => {
  it('applies a diff under load, keeps the open canary, rejects a bad config', async () => {
    await write(
      configText(OLD_TOKEN, [{ id: 'keep', slow: true }, { id: 'gone' }, { id: 'moved' }]),
    );
    served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], { cwd: dir });
    const url = await served.listening;
    const open = await waitFor(
      async () => {
        const { canaries } = await getJson<{ canaries: CanaryJson[] }>(
          `${url}/api/v1/sites/keep/canaries`,
        );
        return canaries.find((c) => c.state === 'propagating');
      },
      20_000,
      'an open canary on keep',
    );
    const readers = load(url);

    await write(
      configText(NEW_TOKEN, [
        { id: 'keep', slow: true },
        { id: 'moved', name: 'Moved v2', interval: '2s' },
        { id: 'added' },
      ]),
    );
    const applied = await reload(url, OLD_TOKEN);
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({
      status: 'reloaded',
      sites: { added: ['added'], removed: ['gone'], changed: ['moved'], unchanged: 1 },
    });
    expect(await ids(url)).toEqual(['keep:keep', 'moved:Moved v2', 'added:added']);
    expect((await fetch(`${url}/api/v1/sites/gone`)).status).toBe(404);
    expect((await reload(url, OLD_TOKEN)).status).toBe(401); // the token changed with the file
    await waitFor(
      async () => {
        const { canaries } = await getJson<{ canaries: CanaryJson[] }>(
          `${url}/api/v1/sites/added/canaries`,
        );
        return canaries.some((c) => c.state === 'visible');
      },
      20_000,
      'a first canary on the added site',
    );

    await write(
      `${configText(NEW_TOKEN, [{ id: 'keep', slow: true }])}  - id: keep\n    url: not-a-url\n`,
    );
    const rejected = await reload(url, NEW_TOKEN);
    expect(rejected.status).toBe(400);
    const body = (await rejected.json()) as {
      error: string;
      problems: Array<{ path: string; message: string }>;
    };
    expect(body.error).toBe('invalid config');
    expect(body.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['sites[1].id', 'sites[1].url']),
    );
    for (const p of body.problems) expect(typeof p.message).toBe('string');
    expect(await ids(url)).toEqual(['keep:keep', 'moved:Moved v2', 'added:added']);

    served.kill('SIGHUP');
    await waitFor(
      () => /"event":"config.rejected","trigger":"SIGHUP","problems":\[/.test(served!.output()),
      10_000,
      'SIGHUP rejection',
    );
    expect(await ids(url)).toEqual(['keep:keep', 'moved:Moved v2', 'added:added']);
    await write(
      configText(NEW_TOKEN, [
        { id: 'keep', slow: true },
        { id: 'moved', name: 'Moved v3' },
      ]),
    );
    served.kill('SIGHUP');
    await waitFor(
      async () => (await ids(url)).join() === 'keep:keep,moved:Moved v3',
      10_000,
      'SIGHUP reload',
    );

    const verdict = await waitFor(
      async () => {
        const { canaries } = await getJson<{ canaries: CanaryJson[] }>(
          `${url}/api/v1/sites/keep/canaries`,
        );
        return canaries.find((c) => c.seq === open.seq && c.state !== 'propagating');
      },
      30_000,
      'the open canary to close',
    );
    await readers.stop();
    expect(verdict).toMatchObject({ seq: open.seq, state: 'visible', deployedAt: open.deployedAt });
    const keep = await getJson<{ canaries: CanaryJson[] }>(`${url}/api/v1/sites/keep/canaries`);
    expect(keep.canaries.map((c) => c.seq)).toEqual([open.seq]); // resumed, never redeployed
    expect(readers.bad).toEqual([]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/freshprobe_config_reloads_total\{outcome="applied"\} 2/);
    expect(metrics).toMatch(/freshprobe_config_reloads_total\{outcome="rejected"\} 2/);
    served.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
    await sleep(0);
  }, 120_000);
});
