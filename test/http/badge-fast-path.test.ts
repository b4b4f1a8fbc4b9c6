/**
 * The Node badge fast path (src/http/fast-path*.ts, runtime/listen.node.ts)
 * answers exactly as the Hono route does: two listeners over the same store,
 * one with the fast path and one without, get the same requests, and every
 * answer must match in status, raw headers (names, case, order; all but
 * Date) and body. The fast one must also really have answered the requests
 * it can (a fast path that always fell through would pass trivially).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FullStore } from '../../src/core/store.js';
import { createApp } from '../../src/http/app.js';
import {
  type NodeFastHandler,
  nodeFastHandler,
  peerAddress,
} from '../../src/http/fast-path.node.js';
import type { RateLimitOptions } from '../../src/http/rate-limit.js';
import { type Listener, openListener } from '../../src/runtime/listen.node.js';
import { clientAddress } from '../../src/runtime/ops.node.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { BAD_DAYS, GAP_DAYS, NOW, SITES } from './fixture.js';
import { seedHistory } from './seed-history.js';
import { readOnlyServices } from './status-server.js';

const STATE_MAX_AGE_MS = 5_000;
const specs = SITES.map(([spec]) => spec);

let handle: SqliteHandle;
let clock = NOW;
let limit: RateLimitOptions = { enabled: false, perSecond: 1, burst: 1_000 };

function app(store: FullStore) {
  return createApp({
    ...readOnlyServices(store, specs, () => clock),
    // Snapshots reused as in `serve`, so the fast path has something to answer from.
    stateMaxAgeMs: STATE_MAX_AGE_MS,
    rateLimit: () => limit,
    clientAddress: (c) => clientAddress(c, false),
  });
}

interface Server {
  listener: Listener;
  /** Targets the fast path answered, in order. */
  answered: string[];
}

/** A listener as `serve` opens it; with the fast path or, for the reference, without. */
async function listen(withFastPath: boolean): Promise<Server> {
  const a = app(handle.store);
  const listener = await openListener({ port: 0, host: '127.0.0.1' });
  const answered: string[] = [];
  const fast = nodeFastHandler(a, (req) => peerAddress(req, false));
  const spy: NodeFastHandler = (req, res) => {
    const done = fast!(req, res);
    if (done) answered.push(req.url ?? '');
    return done;
  };
  listener.setApp(a.fetch, withFastPath ? spy : undefined);
  return { listener, answered };
}

interface Raw {
  status: number;
  statusMessage: string;
  /** Raw header lines, Date left out: it is the one that may differ. */
  headers: string[];
  body: string;
}

function send(
  server: Server,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.listener.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            if (res.rawHeaders[i]!.toLowerCase() !== 'date')
              headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let fast: Server;
let reference: Server;

/** Sends to both; they must answer the same. Returns the answer and whether the fast path did. */
async function both(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
) {
  const before = fast.answered.length;
  const viaFast = await send(fast, path, options);
  const viaHono = await send(reference, path, options);
  expect(viaFast, `${options.method ?? 'GET'} ${path}`).toEqual(viaHono);
  return { res: viaFast, fast: fast.answered.length > before };
}

beforeAll(async () => {
  handle = openSqliteStore(':memory:');
  handle.sqlite.exec('BEGIN');
  await seedHistory(
    handle.store,
    SITES.map(([spec, scenario]) => ({ spec, scenario })),
    { now: NOW, canariesPerDay: 6, gapDays: GAP_DAYS, badDays: BAD_DAYS },
  );
  handle.sqlite.exec('COMMIT');
  fast = await listen(true);
  reference = await listen(false);
}, 60_000);

afterAll(async () => {
  await fast?.listener.close();
  await reference?.listener.close();
  handle?.close();
});

const KINDS = ['status', 'latency', 'freshness', 'age'];

describe('badge fast path', () => {
  it('answers every kind and format of a site in every state as the route does', async () => {
    for (const [spec] of SITES)
      for (const kind of KINDS)
        for (const format of ['svg', 'json']) {
          const path = `/badge/${spec.id}/${kind}.${format}`;
          // The first read loads the site through the route; after it, the fast path answers.
          await both(path);
          const again = await both(path);
          expect(again.fast, path).toBe(true);
          expect(again.res.status).toBe(200);
          expect(again.res.headers).toContain('Cache-Control: no-cache');
        }
    const missing = await both('/badge/shop/status.svg');
    expect(missing.res.body).toContain('status: 404');
  });

  it('answers an unknown site with the grey "unknown" badge and 404', async () => {
    for (const path of ['/badge/nope/status.svg', '/badge/nope/latency.json']) {
      const { res, fast: answered } = await both(path);
      expect(answered).toBe(true);
      expect(res.status).toBe(404);
      expect(res.body).toContain('unknown');
    }
  });

  it('answers If-None-Match with 304 exactly as the route does, in every form', async () => {
    const { res } = await both('/badge/docs/status.svg');
    const etag = res.headers.find((h) => h.startsWith('ETag: '))!.slice(6);
    for (const inm of [etag, `"x", ${etag}`, `W/${etag}`, '*']) {
      const r = await both('/badge/docs/status.svg', { headers: { 'If-None-Match': inm } });
      expect(r.fast).toBe(true);
      expect(r.res.status).toBe(304);
      expect(r.res.body).toBe('');
      expect(r.res.headers.join('\n')).not.toMatch(/^(Content-Security-Policy|Content-Type):/m);
    }
    const other = await both('/badge/docs/status.svg', { headers: { 'If-None-Match': '"x"' } });
    expect(other.res.status).toBe(200);
    // An unknown site's 404 never answers 304.
    const unknown = await both('/badge/nope/status.svg', { headers: { 'If-None-Match': '*' } });
    expect(unknown.res.status).toBe(404);
  });

  it('ignores query strings, as the route does (the contract has no badge options)', async () => {
    for (const query of ['?style=flat-square', '?style=for-the-badge&label=x', '?', '?a=%20b']) {
      const r = await both(`/badge/docs/status.svg${query}`);
      expect(r.fast).toBe(true);
      expect(r.res.status).toBe(200);
    }
  });

  it('leaves HEAD and every request it cannot be sure of to the route', async () => {
    const head = await both('/badge/docs/status.svg', { method: 'HEAD' });
    expect(head.fast).toBe(false);
    expect(head.res.status).toBe(200);
    expect(head.res.body).toBe('');
    for (const path of [
      '/badge/docs/bogus.svg',
      '/badge/Docs/status.svg',
      '/badge/%64ocs/status.svg',
      '/badge/docs/status.svg/',
      '/badge/docs/../docs/status.svg',
      '//badge/docs/status.svg',
    ])
      expect((await both(path)).fast, path).toBe(false);
    const post = await both('/badge/docs/status.svg', { method: 'POST' });
    expect(post.fast).toBe(false);
  });

  it('shares the rate limit with the app: same allowance, same 429 from the route', async () => {
    limit = { enabled: true, perSecond: 1, burst: 4 };
    try {
      const statuses: number[] = [];
      // A mix of fast-path badges and app routes counts against one bucket per client.
      for (const path of [
        '/badge/docs/status.svg',
        '/healthz',
        '/badge/nope/age.json',
        '/api/v1/sites/docs',
        '/badge/docs/status.svg',
        '/badge/docs/freshness.svg',
        '/badge/docs/status.svg',
      ]) {
        const { res, fast: answered } = await both(path);
        statuses.push(res.status);
        if (res.status !== 429) continue;
        // Refused by the shared buckets, the fast path leaves the 429 to the app.
        expect(answered).toBe(false);
        expect(res.headers.join('\n')).toMatch(/^retry-after: 1$/im);
      }
      // /healthz is exempt; the fifth counted request is over the burst of 4.
      expect(statuses).toEqual([200, 200, 404, 200, 200, 429, 429]);
      // A second later one token is back, and the fast path may answer again.
      clock += 1_000;
      const after = await both('/badge/docs/status.svg');
      expect(after.res.status).toBe(200);
      expect(after.fast).toBe(true);
    } finally {
      limit = { enabled: false, perSecond: 1, burst: 1_000 };
    }
  });

  it('follows the snapshot: a changed state shows once the snapshot is refreshed', async () => {
    const before = await both('/badge/docs/status.json');
    expect(JSON.parse(before.res.body).message).toBe('fresh');
    const saved = await handle.store.vantageStatuses('docs');
    try {
      for (const v of saved)
        await handle.store.upsertVantageStatus({
          ...v,
          state: 'missing',
          status: 404,
          seqSeen: undefined,
        });
      // Within the snapshot's age both still show the old state.
      expect(JSON.parse((await both('/badge/docs/status.json')).res.body).message).toBe('fresh');
      clock += STATE_MAX_AGE_MS + 1;
      const changed = await both('/badge/docs/status.json');
      expect(JSON.parse(changed.res.body).message).toBe('404');
      const etag = changed.res.headers.find((h) => h.startsWith('ETag: '))!.slice(6);
      const cached = await both('/badge/docs/status.json', { headers: { 'If-None-Match': etag } });
      expect(cached.fast).toBe(true);
      expect(cached.res.status).toBe(304);
    } finally {
      // The clock only moves forward: a snapshot from the future is never served.
      for (const v of saved) await handle.store.upsertVantageStatus(v);
      clock += STATE_MAX_AGE_MS + 1;
    }
  });
});

describe('peerAddress', () => {
  it('names the client as the app does from Hono context, behind a proxy or not', async () => {
    const probe = new Hono();
    probe.get('/', (c) => {
      const incoming = (c.env as { incoming: IncomingMessage }).incoming;
      return c.json({
        hono: [clientAddress(c, false), clientAddress(c, true)],
        node: [peerAddress(incoming, false), peerAddress(incoming, true)],
      });
    });
    const server = serve({ fetch: probe.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const cases: Array<Array<[string, string]>> = [
        [],
        [['X-Forwarded-For', '203.0.113.7']],
        [['X-Forwarded-For', '198.51.100.1, 203.0.113.7']],
        [['X-Forwarded-For', '198.51.100.1, 203.0.113.7, ']],
        [['X-Forwarded-For', ' , ']],
        [
          ['X-Forwarded-For', '198.51.100.1'],
          ['X-Forwarded-For', '203.0.113.9'],
        ],
      ];
      for (const headers of cases) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => {
              text += c.toString();
            });
            res.on('end', () => resolve(text));
          });
          for (const [name, value] of headers) req.appendHeader(name, value);
          req.on('error', reject);
          req.end();
        });
        const { hono, node } = JSON.parse(body) as { hono: string[]; node: string[] };
        expect(node, JSON.stringify(headers)).toEqual(hono);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
