/**
 * Acceptance: sites that answer 404, 500, hang, send 50 MiB, loop redirects or
 * return 200 without a marker each get their state and error class; the
 * server stays up and a healthy site keeps its probe schedule meanwhile.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import { type RunningServer, startServer } from '../../src/runtime/serve.node.js';
import { startZoo, type Zoo, zooBehaviours } from '../helpers/zoo.js';

const NAMES = ['ok', 'missing', 'error', 'hang', 'huge', 'loop', 'nomarker'];
let dir: string;
let zoo: Zoo;
let server: RunningServer;
let base: string;

function siteConfig(name: string) {
  return {
    id: name,
    url: `${zoo.url}/`,
    canary: { path: `/${name}/freshprobe/canary.json` },
    deploy: { kind: 'local-dir', dir: join(dir, name === 'ok' ? 'ok' : `sink-${name}`) },
    probe: { vantages: ['edge', 'origin'], interval: '1s', timeout: '1s' },
    timeout: '30s',
    slo: { threshold: '2s' },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-bad-sites-'));
  for (const name of NAMES) await mkdir(join(dir, name === 'ok' ? 'ok' : `sink-${name}`));
  zoo = await startZoo(zooBehaviours(join(dir, 'ok')));
  const loaded = parseConfigObject(
    { storage: { sqlite: join(dir, 'db.sqlite') }, sites: NAMES.map(siteConfig) },
    {},
  );
  server = await startServer({ loaded, log: silentLogger, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await zoo?.close();
  await rm(dir, { recursive: true, force: true });
});

async function sites(): Promise<
  Array<{ id: string; state: string; vantages: Array<Record<string, unknown>> }>
> {
  return ((await (await fetch(`${base}/api/v1/sites`)).json()) as { sites: never[] }).sites;
}

describe('misbehaving sites', () => {
  it('classifies each and keeps the healthy site on schedule', async () => {
    const expected: Record<string, { state: string; errorClass?: string }> = {
      ok: { state: 'fresh' },
      missing: { state: 'missing' },
      error: { state: 'error', errorClass: 'http_5xx' },
      hang: { state: 'error', errorClass: 'timeout' },
      huge: { state: 'error', errorClass: 'too_large' },
      loop: { state: 'error', errorClass: 'redirect_loop' },
      nomarker: { state: 'error', errorClass: 'no_marker' },
    };
    const okProbeTimes = new Set<number>();
    const deadline = Date.now() + 20_000;
    let last: Awaited<ReturnType<typeof sites>> = [];
    for (;;) {
      last = await sites();
      const ok = last.find((s) => s.id === 'ok');
      for (const v of ok?.vantages ?? []) okProbeTimes.add(v.lastObservedAt as number);
      const done = last.every((s) => s.state === expected[s.id]?.state);
      if ((done && okProbeTimes.size >= 8) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const site of last) {
      const want = expected[site.id]!;
      expect(site.state, site.id).toBe(want.state);
      if (want.errorClass)
        expect(
          site.vantages.map((v) => v.errorClass),
          site.id,
        ).toContain(want.errorClass);
    }
    // Several distinct rounds for the healthy site while a neighbour hung every time.
    expect(okProbeTimes.size).toBeGreaterThanOrEqual(8);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  }, 40_000);

  it('keeps the huge body capped in the stored observation', async () => {
    const res = await fetch(`${base}/api/v1/sites/huge/observations?limit=5`);
    const { observations } = (await res.json()) as {
      observations: Array<{ errorClass?: string; errorMessage?: string }>;
    };
    expect(observations.some((o) => o.errorClass === 'too_large')).toBe(true);
  });
});
