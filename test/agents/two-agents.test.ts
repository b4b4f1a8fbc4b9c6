/**
 * Remote vantages end to end on loopback: one central Node server, two agents
 * with different vantage names. Both show on the site with their states, and
 * a canary that takes ~3 s to publish gets a latency with a tight bound from
 * each agent, not only from the server's own edge probe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import type { CanaryView, SiteView } from '../../src/http/views.js';
import { runAgent } from '../../src/runtime/commands/agent.node.js';
import { type RunningServer, startServer } from '../../src/runtime/serve.node.js';
import { HOOK_BODY, type HookSite, startHookSite } from './hook-site.js';

const ADMIN = 'admin-token-0123456789';
const TOKENS = { fra: 'fra-token-0123456789abcdef', iad: 'iad-token-0123456789abcdef' };

let site: HookSite;
let server: RunningServer;
let base: string;
let dir: string;
const stop = new AbortController();
const agents: Promise<void>[] = [];

async function get<T>(path: string): Promise<T> {
  return (await (await fetch(`${base}${path}`)).json()) as T;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  site = await startHookSite();
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-agents-'));
  const config = {
    server: { adminToken: ADMIN },
    storage: { sqlite: join(dir, 'central.db') },
    defaults: { schedule: '0 0 1 1 *' },
    sites: [
      {
        id: 'docs',
        url: site.url,
        deploy: {
          kind: 'webhook',
          url: site.hookUrl,
          body: HOOK_BODY,
          allowPrivateAddresses: true,
        },
        probe: { vantages: ['edge'], interval: '2s' },
      },
    ],
    agents: [
      { id: 'fra', token: TOKENS.fra },
      { id: 'iad', token: TOKENS.iad, vantage: 'probe@iad' },
    ],
  };
  const loaded = parseConfigObject(config, {});
  server = await startServer({ loaded, log: silentLogger, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
  for (const token of Object.values(TOKENS))
    agents.push(runAgent({ server: base, token, fetch, log: silentLogger, signal: stop.signal }));
});

afterAll(async () => {
  stop.abort();
  await Promise.all(agents);
  await server?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('two agents report to one server', () => {
  it('shows both agent vantages on the site, with their states', async () => {
    const view = await until(
      'both agent vantages fresh',
      () => get<SiteView>('/api/v1/sites/docs'),
      (v) =>
        ['agent:fra', 'probe@iad'].every(
          (n) => v.vantages.find((x) => x.vantage === n)?.state === 'fresh',
        ),
    );
    expect(view.vantages.map((v) => v.vantage).sort()).toEqual(['agent:fra', 'edge', 'probe@iad']);
    const observations = await get<{ observations: Array<{ vantage: string }> }>(
      '/api/v1/sites/docs/observations?vantage=agent:fra',
    );
    expect(observations.observations.length).toBeGreaterThan(0);
  });

  it("measures each agent's latency to a new canary, with its bound", async () => {
    site.delayMs = 3_000;
    const res = await fetch(`${base}/api/v1/sites/docs/canaries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(202);
    const { seq } = (await res.json()) as CanaryView;
    const canary = await until(
      'both agents to see the new canary',
      async () => (await get<{ canaries: CanaryView[] }>('/api/v1/sites/docs/canaries')).canaries,
      (list) => {
        const c = list.find((x) => x.seq === seq);
        return Boolean(
          c?.vantages['agent:fra']?.latencyBoundsMs && c.vantages['probe@iad']?.latencyBoundsMs,
        );
      },
    ).then((list) => list.find((x) => x.seq === seq)!);
    expect(canary.state).toBe('visible');
    for (const name of ['edge', 'agent:fra', 'probe@iad']) {
      const v = canary.vantages[name]!;
      const [lo, hi] = v.latencyBoundsMs!;
      // Published ~3 s after the hook: every vantage saw a miss first, so the bound is tight.
      expect(lo, name).toBeGreaterThan(1_000);
      expect(v.latencyMs!, name).toBeGreaterThanOrEqual(2_900);
      expect(hi - lo, name).toBeLessThan(3_000);
    }
  });
});
