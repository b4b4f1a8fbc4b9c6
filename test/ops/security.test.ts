/**
 * Security: every admin route answers 401 without the token or with a wrong
 * one (routes are listed from the app itself, so a new one cannot be
 * forgotten), public routes are read-only and rate-limited, and notifier
 * URLs pass the SSRF guard unless the config allows private addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import type { AlertMessage } from '../../src/core/model.js';
import { createApp } from '../../src/http/app.js';
import { isAdminGuard } from '../../src/http/auth.js';
import { buildGuardedNotifiers } from '../../src/runtime/bootstrap.node.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const TOKEN = 'admin-token-for-security-tests-0123';
let db: SqliteHandle;
let receiver: Receiver;

const config = parseConfigObject(
  {
    server: { adminToken: TOKEN },
    sites: [
      { id: 'docs', url: 'https://docs.example.com/', deploy: { kind: 'local-dir', dir: '/x' } },
    ],
  },
  {},
).config;

function app(rate?: { enabled: boolean; perSecond: number; burst: number }) {
  return createApp({
    store: db.store,
    clock: { now: () => Date.now() },
    log: silentLogger,
    sites: () => config.sites,
    adminToken: () => TOKEN,
    readiness: () => ({ ready: true }),
    requestCanary: async () => {
      throw new Error('must not be reached without the token');
    },
    registerDeploy: async () => {
      throw new Error('must not be reached without the token');
    },
    reload: async () => {
      throw new Error('must not be reached without the token');
    },
    ...(rate && {
      rateLimit: () => rate,
      clientAddress: (c) => c.req.header('x-test-client'),
    }),
  });
}

beforeAll(async () => {
  db = openSqliteStore(':memory:');
  receiver = await startReceiver();
});

afterAll(async () => {
  db?.close();
  await receiver?.close();
});

/** `/api/v1/sites/:id/canaries` → a concrete path. */
const concrete = (path: string) => path.replace(/:[a-z]+\{?[^/]*\}?/gi, 'docs');

describe('admin routes', () => {
  const routes = () => app().routes;
  const adminRoutes = () => [
    ...new Set(
      routes()
        .filter((r) => isAdminGuard(r.handler))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ];

  it('lists the admin routes from the app itself', () => {
    expect(adminRoutes()).toEqual(
      expect.arrayContaining([
        'POST /api/v1/admin/reload',
        'POST /api/v1/sites/:id/canaries',
        'POST /api/v1/sites/:id/deploys',
      ]),
    );
  });

  it('keeps public routes read-only: every route that writes wants a token (401 without)', async () => {
    const a = app();
    const mutating = [
      ...new Set(
        routes()
          .filter((r) => !['GET', 'HEAD', 'ALL'].includes(r.method))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ];
    expect(mutating.length).toBeGreaterThan(3);
    for (const route of mutating) {
      const [method, path] = route.split(' ') as [string, string];
      const variants: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong-token-0123456789' },
      ];
      for (const headers of variants) {
        const res = await a.request(concrete(path), { method, headers });
        expect({ route, status: res.status }).toEqual({ route, status: 401 });
      }
    }
  });

  it('answers 401 to every admin route without a token, with a wrong one, or another scheme', async () => {
    const a = app();
    const headers: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
    ];
    for (const route of adminRoutes()) {
      const [method, path] = route.split(' ') as [string, string];
      for (const h of headers) {
        const res = await a.request(concrete(path), { method, headers: h });
        expect({ route, h, status: res.status }).toEqual({ route, h, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it('accepts the token with the scheme in any case', async () => {
    const res = await app().request('/api/v1/incidents/none/notifications', {
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(res.status).toBe(404); // past the guard: the incident does not exist
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client used its burst, per client', async () => {
    const a = app({ enabled: true, perSecond: 0.5, burst: 3 });
    const hit = (client: string, path = '/api/v1/sites') =>
      a.request(path, { headers: { 'x-test-client': client } });
    for (let i = 0; i < 3; i++) expect((await hit('198.51.100.7')).status).toBe(200);
    const limited = await hit('198.51.100.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await hit('198.51.100.8')).status).toBe(200);
    expect((await hit('198.51.100.7', '/healthz')).status).toBe(200); // health is never limited
  });

  it('is off when disabled', async () => {
    const a = app({ enabled: false, perSecond: 0.1, burst: 1 });
    for (let i = 0; i < 5; i++) expect((await a.request('/api/v1/sites')).status).toBe(200);
  });
});

describe('SSRF guard on notifiers', () => {
  const message: AlertMessage = {
    kind: 'test',
    incidentId: 'docs:test:1',
    dedupKey: 'freshprobe:docs:test:1',
    site: { id: 'docs', name: 'Docs', url: 'https://docs.example.com/' },
    state: 'error',
    cause: 'error',
    title: 'test',
    summary: 'test',
    since: 0,
    vantages: [],
    at: 0,
  };
  const notifiersFor = (urls: string[], allow: boolean) =>
    buildGuardedNotifiers(
      parseConfigObject(
        {
          sites: config.sites.map(({ id, url }) => ({
            id,
            url,
            deploy: { kind: 'local-dir', dir: '/x' },
          })),
          notifiers: urls.map((url, i) => ({
            id: `n${i}`,
            kind: 'webhook',
            url,
            allowPrivateAddresses: allow,
          })),
        },
        {},
      ).config.notifiers,
      fetch,
    );

  it('refuses loopback, 10.0.0.0/8 and link-local destinations by default', async () => {
    const urls = [
      `${receiver.url}/hook`,
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
    ];
    for (const notifier of notifiersFor(urls, false).values()) {
      const error = (await notifier
        .send(message, AbortSignal.timeout(5_000))
        .catch((e) => e)) as Error;
      // The webhook notifier wraps the guard's PrivateAddressError in its own send error,
      // keeping its class: the outbox must not retry what only a config change can fix.
      expect(error.message).toMatch(
        /refusing http:\/\/[\d.:]+: .* address \(set allowPrivateAddresses/,
      );
      expect(error).toMatchObject({ retryable: false });
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('sends to a private address when the notifier allows it', async () => {
    const [notifier] = notifiersFor([`${receiver.url}/hook`], true).values();
    await notifier!.send(message, AbortSignal.timeout(5_000));
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });
});
