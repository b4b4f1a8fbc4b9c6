// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config ${VAR} references, not templates.
/**
 * The Worker inside workerd, with D1, the probe loop Durable Object and the
 * assets binding from wrangler.toml: a scheduled event deploys canaries to the
 * loopback fake (webhook deployer) and the probe loop's alarms poll them to a
 * verdict, recorded in D1; the status page, badges and API render from D1.
 */
import {
  applyD1Migrations,
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Canary } from '../../../src/core/model.js';
import worker from '../../../src/runtime/worker.js';
import { openD1Store } from '../../../src/storage/d1.js';
import { ADMIN_TOKEN, AGENT_TOKEN, SLOW_DELAY_MS } from './worker-config.js';

const store = () => openD1Store(env.DB);
const call = async (path: string, init?: RequestInit, bindings = env) => {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://status.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
};

async function verdict(siteId: string, seq: number, ms = 40_000): Promise<Canary> {
  const deadline = Date.now() + ms;
  for (;;) {
    const canary = await store().getCanary(siteId, seq);
    if (canary && ['visible', 'timed_out', 'deploy_failed'].includes(canary.state)) return canary;
    if (Date.now() > deadline) throw new Error(`no verdict: ${JSON.stringify(canary)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe('Worker on D1', () => {
  it('deploys a canary from a scheduled event and records its observations in D1', async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await waitOnExecutionContext(ctx);
    // The alarm was armed for now; run it at once instead of waiting for the timer.
    await runDurableObjectAlarm(env.PROBE_LOOP.get(env.PROBE_LOOP.idFromName('probe-loop')));
    const canary = await verdict('docs', 1);
    expect(canary).toMatchObject({ state: 'visible', reason: 'startup', deployDetail: 'build-1' });
    const observations = await store().listObservations('docs', { limit: 20 });
    expect(new Set(observations.map((o) => o.vantage))).toEqual(new Set(['edge', 'origin']));
    // The fake's cf-ray names FRA: the colo recorded with every observation.
    expect(observations.every((o) => o.cache.pop === 'FRA')).toBe(true);
    expect(observations.some((o) => o.state === 'fresh' && o.seqSeen === 1)).toBe(true);
  });

  it('polls an open canary about every second through the alarm, so the bound stays tight', async () => {
    const canary = await verdict('slow', 1);
    expect(canary.state).toBe('visible');
    const [lo, hi] = canary.latencyBoundsMs!;
    expect(canary.latencyMs!).toBeGreaterThanOrEqual(SLOW_DELAY_MS);
    // Cron alone would leave a ~60 s window; the alarm loop keeps it near the 1 s first poll.
    expect(hi - lo).toBeLessThan(2_500);
    expect(lo).toBeGreaterThan(SLOW_DELAY_MS - 2_500);
  });

  it('renders the status page, badges, assets and the API from D1', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Docs');
    expect(html).toContain('Slow docs');
    const badge = await call('/badge/docs/status.svg');
    expect(badge.status).toBe(200);
    expect(badge.headers.get('content-type')).toContain('image/svg+xml');
    expect(await badge.text()).toContain('<svg');
    const css = /href="(\/assets\/style-[^"]+\.css)"/.exec(html)?.[1];
    expect(css, 'the page links the built stylesheet').toBeDefined();
    expect((await call(css!)).headers.get('content-type')).toContain('text/css');
    const site = (await (await call('/api/v1/sites/docs')).json()) as { state: string };
    expect(site.state).toBe('fresh');
    expect((await call('/api/v2/summary.json')).status).toBe(200);
  });

  it('deploys a manual canary requested through the API at once, through the probe loop', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const res = await call('/api/v1/sites/docs/canaries', { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    const { seq } = (await res.json()) as { seq: number };
    expect((await verdict('docs', seq)).state).toBe('visible');
  });
});

describe('Worker as the central server for agents', () => {
  it("judges and stores a remote vantage's results in D1", async () => {
    const canary = await fetch(`${inject('hookSite')}freshprobe/canary.json`);
    const result = {
      siteId: 'docs',
      vantage: 'agent:fra',
      startedAt: Date.now() - 100,
      durationMs: 40,
      status: canary.status,
      body: await canary.text(),
      cache: {},
    };
    const res = await call('/api/v1/agent/observations', {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ results: [result] }),
    });
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    const site = (await (await call('/api/v1/sites/docs')).json()) as {
      vantages: Array<{ vantage: string; state: string }>;
    };
    expect(site.vantages).toContainEqual(
      expect.objectContaining({ vantage: 'agent:fra', state: 'fresh' }),
    );
  });
});

describe('Worker config problems', () => {
  const withConfig = (config: string) => ({ ...env, FRESHPROBE_CONFIG: config });

  it('answers every route with 503 and the problem list, naming Node-only adapters', async () => {
    const config = JSON.stringify({
      sites: [
        {
          id: 'docs',
          url: 'https://docs.example.com/',
          deploy: { kind: 'git', remote: 'https://git.example.com/a.git', file: 'c.json' },
          probe: { vantages: ['edge', 'nodes'] },
        },
      ],
      notifiers: [
        {
          id: 'mail',
          kind: 'email',
          smtp: 'smtp://mail.example.com',
          from: 'a@example.com',
          to: ['b@example.com'],
        },
      ],
    });
    for (const path of ['/', '/healthz', '/api/v1/sites']) {
      const res = await call(path, undefined, withConfig(config));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: 'invalid config',
        problems: [
          { path: 'sites[0].probe.vantages[1]', message: 'nodes is not available on Workers' },
          { path: 'sites[0].deploy.kind', message: 'git is not available on Workers' },
          { path: 'notifiers[0].kind', message: 'email is not available on Workers' },
        ],
      });
    }
  });

  it("reads ${VAR} from the Worker's vars and secrets", async () => {
    const config = JSON.stringify({
      server: { adminToken: '${ADMIN_SECRET}' },
      sites: [
        {
          id: 'docs',
          url: inject('hookSite'),
          deploy: { kind: 'webhook', url: 'https://hooks.example.com/x' },
        },
      ],
    });
    const unset = await call('/', undefined, withConfig(config));
    expect(await unset.json()).toMatchObject({
      problems: [
        { path: 'server.adminToken', message: 'environment variable ADMIN_SECRET is not set' },
      ],
    });
    const secret = 'from-a-worker-secret-0123';
    const bindings = { ...withConfig(config), ADMIN_SECRET: secret };
    const reload = (token: string) =>
      call(
        '/api/v1/admin/reload',
        { method: 'POST', headers: { authorization: `Bearer ${token}` } },
        bindings,
      );
    expect((await reload('wrong-token-0123456789')).status).toBe(401);
    // The token matched; a Worker's config changes by a new secret, not by a reload.
    expect((await reload(secret)).status).toBe(501);
  });

  it('reports schema problems and a missing config the same way', async () => {
    const bad = await call('/', undefined, withConfig('sites: []'));
    expect(await bad.json()).toMatchObject({
      problems: [{ path: 'sites', message: 'expected at least one site' }],
    });
    const none = await call('/', undefined, withConfig(''));
    expect(none.status).toBe(503);
    expect(
      ((await none.json()) as { problems: Array<{ message: string }> }).problems[0]!.message,
    ).toMatch(/^no config/);
  });
});
