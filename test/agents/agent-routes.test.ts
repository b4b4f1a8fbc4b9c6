/**
 * The agent API's rules, in process: tokens identify agents, an agent sees
 * and posts for its own sites and vantage only, nothing secret is handed out,
 * bodies are capped, stale or future results are refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { MAX_POST_BYTES } from '../../src/http/agent-wire.js';
import { type StatusApp, statusApp } from '../http/status-server.js';

const FRA = 'fra-token-0123456789abcdef';
const IAD = 'iad-token-0123456789abcdef';

const { config } = parseConfigObject(
  {
    sites: [
      {
        id: 'docs',
        url: 'https://docs.example.com/',
        deploy: {
          kind: 'gitlab-api',
          project: 'acme/docs',
          file: 'public/c.json',
          token: 'glpat-SECRET',
        },
        probe: { headers: { authorization: 'Basic SECRET' } },
      },
      { id: 'blog', url: 'https://blog.example.com/', deploy: { kind: 'local-dir', dir: '/srv' } },
    ],
    agents: [
      { id: 'fra', token: FRA },
      { id: 'iad', token: IAD, vantage: 'probe@iad', sites: ['blog'] },
    ],
  },
  {},
);

let app: StatusApp | undefined;
afterEach(() => app?.close());

async function open(agents = config.agents) {
  app = await statusApp(config.sites, { services: { agents: () => agents } });
  return app.app;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (token: string, body: unknown) => ({
  method: 'POST',
  headers: { ...auth(token), 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const result = (over: Record<string, unknown> = {}) => ({
  siteId: 'docs',
  vantage: 'agent:fra',
  startedAt: Date.now() - 1_000,
  durationMs: 20,
  status: 404,
  cache: {},
  ...over,
});

describe('agent API', () => {
  it('is closed without agents, and refuses a wrong token', async () => {
    expect(
      (await (await open([])).request('/api/v1/agent/sites', { headers: auth(FRA) })).status,
    ).toBe(401);
    const res = await (await open()).request('/api/v1/agent/sites', { headers: auth('nope') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it("lists only the agent's sites, with what it needs to probe and no secrets", async () => {
    const web = await open();
    const fra = await (await web.request('/api/v1/agent/sites', { headers: auth(FRA) })).text();
    expect(fra).not.toContain('SECRET');
    expect(JSON.parse(fra)).toMatchObject({
      agent: 'fra',
      vantage: 'agent:fra',
      sites: [
        {
          id: 'docs',
          url: 'https://docs.example.com/freshprobe/canary.json',
          format: 'json',
          pollMs: 60_000,
        },
        { id: 'blog' },
      ],
    });
    const iad = await (await web.request('/api/v1/agent/sites', { headers: auth(IAD) })).json();
    expect((iad as { sites: Array<{ id: string }> }).sites.map((s) => s.id)).toEqual(['blog']);
  });

  it('refuses results for another vantage', async () => {
    const res = await (await open()).request(
      '/api/v1/agent/observations',
      post(IAD, { results: [result({ siteId: 'blog' })] }),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'agent iad posts for vantage "probe@iad" only, got "agent:fra"',
    });
  });

  it('accepts fresh results for its sites and says why it refuses the others', async () => {
    const web = await open();
    const now = Date.now();
    const body = {
      results: [
        result(),
        result({ startedAt: now - 11 * 60_000 }),
        result({ startedAt: now + 60_000 }),
        result({ siteId: 'blog', vantage: 'probe@iad' }),
      ],
    };
    const refused = await web.request(
      '/api/v1/agent/observations',
      post(FRA, { results: body.results.slice(0, 3) }),
    );
    expect(await refused.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, reason: 'older than 10 minutes' },
        { index: 2, reason: 'in the future (check the agent clock: run NTP)' },
      ],
      sites: { docs: { pollMs: 60_000 } },
    });
    const iad = await web.request(
      '/api/v1/agent/observations',
      post(IAD, { results: [{ ...body.results[3], siteId: 'docs' }] }),
    );
    expect((await iad.json()) as unknown).toMatchObject({
      accepted: 0,
      rejected: [{ index: 0, reason: 'site "docs" is not probed by agent iad' }],
    });
    const statuses = await app!.store.vantageStatuses('docs');
    expect(statuses.map((s) => s.vantage)).toEqual(['agent:fra']);
  });

  it('caps the body, with or without Content-Length, and rejects malformed results', async () => {
    const web = await open();
    const big = 'x'.repeat(MAX_POST_BYTES + 1);
    expect((await web.request('/api/v1/agent/observations', post(FRA, big))).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const chunked = { ...post(FRA, ''), body: stream, duplex: 'half' } as RequestInit;
    expect((await web.request('/api/v1/agent/observations', chunked)).status).toBe(413);
    const bad = await web.request(
      '/api/v1/agent/observations',
      post(FRA, { results: [result({ durationMs: -1 })] }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /^invalid results: results\.0\.durationMs/,
    );
    expect((await web.request('/api/v1/agent/observations', post(FRA, '{'))).status).toBe(400);
  });
});
