import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyFetchError,
  createHttpProber,
  type HttpProberOptions,
} from '../../src/probers/http.js';
import { createNodeFetch, type NodeFetch } from '../../src/probers/node-fetch.node.js';
import {
  closeAll,
  closedPort,
  selfSignedCert,
  startHttp,
  startRaw,
  streamBytes,
} from './servers.js';

const MiB = 1024 * 1024;
let nodeFetch: NodeFetch;
let using: 'probeFetch' | 'fetch' = 'probeFetch';

beforeAll(() => {
  nodeFetch = createNodeFetch({ connectTimeoutMs: 2000 });
});
afterEach(closeAll);
afterAll(() => nodeFetch.close());

function prober(url: string, overrides: Partial<HttpProberOptions> = {}) {
  return createHttpProber({
    vantage: 'edge',
    url,
    timeoutMs: 3000,
    maxBodyBytes: MiB,
    maxRedirects: 5,
    fetch: nodeFetch[using],
    ...overrides,
  });
}

async function probeOne(url: string, overrides: Partial<HttpProberOptions> = {}) {
  const results = await prober(url, overrides).probe(new AbortController().signal);
  expect(results).toHaveLength(1);
  return results[0]!;
}

// Every case runs through both Node fetches: probers in `serve` use the lean one (lean-fetch.node.ts).
describe.each(['probeFetch', 'fetch'] as const)('through %s', (which) => {
  beforeAll(() => {
    using = which;
  });

  describe('http prober: responses', () => {
    it('asks for compressed bodies as browsers do, and decodes gzip and br', async () => {
      const marker = JSON.stringify({ freshprobe: 1, seq: 3 });
      const server = await startHttp((req, res) => {
        const br = req.url === '/br';
        res.setHeader('content-encoding', br ? 'br' : 'gzip');
        res.setHeader('x-asked', String(req.headers['accept-encoding']));
        res.end(br ? brotliCompressSync(marker) : gzipSync(marker));
      });
      for (const path of ['/gz', '/br']) {
        const result = await probeOne(`${server.origin}${path}`);
        expect(result).toMatchObject({ status: 200, body: marker });
        expect(result.headers?.['x-asked']).toMatch(/gzip/);
      }
    });

    it('classifies a body that claims gzip and is not as protocol, without crashing', async () => {
      const server = await startHttp((_req, res) => {
        res.setHeader('content-encoding', 'gzip');
        res.end('this is not gzip at all');
      });
      const result = await probeOne(server.origin);
      expect(result.status).toBe(200);
      expect(result.error?.class).toBe('protocol');
    });

    it('reports a 200 with its body and cache headers', async () => {
      const body = JSON.stringify({ freshprobe: 1, seq: 7, token: 'abc' });
      const server = await startHttp((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'max-age=600');
        res.setHeader('age', '42');
        res.setHeader('etag', '"v7"');
        res.setHeader('last-modified', 'Tue, 01 Jul 2025 10:00:00 GMT');
        res.setHeader('cf-cache-status', 'HIT');
        res.setHeader('cf-ray', '8a1b2c3d4e5f6789-FRA');
        res.end(body);
      });
      const p = prober(`${server.origin}/freshprobe/canary.json`, { now: () => 1_000 });
      expect(p.kind).toBe('edge');
      const [result] = await p.probe(new AbortController().signal);
      expect(result).toEqual({
        vantage: 'edge',
        startedAt: 1_000,
        durationMs: 0,
        status: 200,
        body,
        cache: {
          age: 42,
          cacheControl: 'max-age=600',
          etag: '"v7"',
          lastModified: 'Tue, 01 Jul 2025 10:00:00 GMT',
          cacheStatus: 'hit',
          pop: 'FRA',
        },
        headers: expect.objectContaining({ 'cf-ray': '8a1b2c3d4e5f6789-FRA', age: '42' }),
      });
      expect(server.requests[0]?.headers['user-agent']).toMatch(/^freshprobe\//);
    });

    it.each([404, 500])('reports %i as a status, not an error', async (status) => {
      const server = await startHttp((_req, res) => {
        res.statusCode = status;
        res.end('nope');
      });
      const result = await probeOne(`${server.origin}/x`);
      expect(result.status).toBe(status);
      expect(result.body).toBe('nope');
      expect(result.error).toBeUndefined();
    });

    it('decodes the body as UTF-8', async () => {
      const server = await startHttp((_req, res) => res.end(Buffer.from('ünïcødé ✓', 'utf8')));
      expect((await probeOne(server.origin)).body).toBe('ünïcødé ✓');
    });
  });

  describe('http prober: timeouts and size', () => {
    it('times out a server that accepts and never answers, within budget + 1 s', async () => {
      const server = await startRaw(() => {});
      const started = Date.now();
      const result = await probeOne(server.origin, { timeoutMs: 1500 });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(result.status).toBeUndefined();
      expect(result.error).toEqual({
        class: 'timeout',
        message: 'no response headers within 1.5s',
      });
    });

    it('caps the header phase with headersTimeoutMs', async () => {
      const server = await startRaw(() => {});
      const result = await probeOne(server.origin, { timeoutMs: 5000, headersTimeoutMs: 300 });
      expect(result.error).toEqual({
        class: 'timeout',
        message: 'no response headers within 300ms',
      });
      expect(result.durationMs).toBeLessThan(1300);
    });

    it('times out a body that stalls after the headers, keeping the status', async () => {
      const server = await startHttp((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        res.write('partial');
      });
      const started = Date.now();
      const result = await probeOne(server.origin, { timeoutMs: 1000 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.status).toBe(200);
      expect(result.cache.cacheControl).toBe('no-store');
      expect(result.error).toEqual({ class: 'timeout', message: 'body not complete within 1s' });
    });

    it('stops reading a 50 MiB body at the cap', async () => {
      let sent: Promise<number> = Promise.resolve(0);
      const server = await startHttp((_req, res) => {
        sent = streamBytes(res, 50 * MiB);
      });
      const started = Date.now();
      const result = await probeOne(server.origin, { timeoutMs: 10_000 });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result.status).toBe(200);
      expect(result.error).toEqual({ class: 'too_large', message: 'body larger than 1 MiB' });
      expect(result.body?.length).toBeLessThanOrEqual(MiB);
      // The server could not push 50 MiB: the prober hung up instead of draining it.
      expect(await sent).toBeLessThan(25 * MiB);
    });

    it('aborts when the caller signal aborts', async () => {
      const server = await startRaw(() => {});
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const [result] = await prober(server.origin, { timeoutMs: 10_000 }).probe(controller.signal);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(result?.error).toEqual({ class: 'timeout', message: 'probe aborted' });
    });
  });

  describe('http prober: redirects', () => {
    it('detects a redirect loop', async () => {
      const server = await startHttp((req, res) => {
        res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end();
      });
      const result = await probeOne(`${server.origin}/a`);
      expect(result.status).toBe(302);
      expect(result.error).toEqual({
        class: 'redirect_loop',
        message: 'redirect loop: /a -> /b -> /a',
      });
    });

    it('stops after maxRedirects', async () => {
      // /r/7 -> /r/6 -> ... -> /r/0, which answers 200: seven redirects.
      const server = await startHttp((req, res) => {
        const n = Number(req.url?.split('/').at(-1));
        if (n === 0) res.end('landed');
        else res.writeHead(301, { location: `/r/${n - 1}` }).end();
      });
      const capped = await probeOne(`${server.origin}/r/7`, { maxRedirects: 5 });
      expect(capped.status).toBe(301);
      expect(capped.error).toEqual({
        class: 'too_many_redirects',
        message: 'more than 5 redirects',
      });
      expect(server.requests).toHaveLength(6);
      const enough = await probeOne(`${server.origin}/r/7`, { maxRedirects: 7 });
      expect(enough).toMatchObject({ status: 200, body: 'landed' });
      expect(enough.error).toBeUndefined();
    });

    it('follows relative and absolute redirects, across servers', async () => {
      const final = await startHttp((_req, res) => res.end('final'));
      const server = await startHttp((req, res) => {
        if (req.url === '/docs/start') res.writeHead(302, { location: 'next' }).end();
        else if (req.url === '/docs/next')
          res.writeHead(307, { location: `${final.origin}/end` }).end();
        else res.writeHead(404).end();
      });
      const result = await probeOne(`${server.origin}/docs/start`);
      expect(result).toMatchObject({ status: 200, body: 'final' });
      expect(server.requests.map((r) => r.url)).toEqual(['/docs/start', '/docs/next']);
      expect(final.requests.map((r) => r.url)).toEqual(['/end']);
    });
  });

  describe('http prober: failures below HTTP', () => {
    it('classifies a refused connection', async () => {
      const port = await closedPort();
      const result = await probeOne(`http://127.0.0.1:${port}/`);
      expect(result.error).toEqual({
        class: 'connect',
        message: `connection refused (127.0.0.1:${port})`,
      });
      expect(result.cache).toEqual({});
    });

    it('classifies an unknown host', async () => {
      const result = await probeOne('http://freshprobe-test.invalid/canary.json');
      expect(result.error?.class).toBe('dns');
      expect(result.error?.message).toMatch(/^DNS lookup failed: freshprobe-test\.invalid/);
    });

    it('classifies an untrusted self-signed certificate', async () => {
      const server = await startHttp((_req, res) => res.end('secret'), {
        tls: selfSignedCert('localhost'),
      });
      const result = await probeOne(`https://localhost:${server.port}/`);
      expect(result.error?.class).toBe('tls');
      expect(result.error?.message).toMatch(/^TLS: self[- ]signed certificate/);
      expect(result.status).toBeUndefined();
    });

    it('classifies garbage instead of HTTP as protocol', async () => {
      const server = await startRaw((socket) => socket.end('\x00\x01 this is not HTTP\r\n\r\n'));
      const result = await probeOne(server.origin);
      expect(result.error?.class).toBe('protocol');
      expect(result.error?.message).toMatch(/^malformed HTTP response/);
    });

    it('classifies a reset after the request as connect', async () => {
      const server = await startRaw((socket) =>
        socket.once('data', () => socket.resetAndDestroy()),
      );
      const result = await probeOne(server.origin);
      expect(result.error?.class).toBe('connect');
    });
  });

  describe('http prober: vantages and connections', () => {
    it('origin adds a unique cache-busting query and no-cache headers; edge does not', async () => {
      const server = await startHttp((_req, res) => res.end('ok'));
      const url = `${server.origin}/freshprobe/canary.json`;
      const origin = prober(url, { vantage: 'origin', headers: { 'x-team': 'docs' } });
      expect(origin.kind).toBe('origin');
      const [first] = await origin.probe(new AbortController().signal);
      await origin.probe(new AbortController().signal);
      await prober(url).probe(new AbortController().signal);
      expect(first?.vantage).toBe('origin');
      const [a, b, edge] = server.requests;
      const busted = /^\/freshprobe\/canary\.json\?freshprobe=[0-9a-f]{32}$/;
      expect(a?.url).toMatch(busted);
      expect(b?.url).toMatch(busted);
      expect(a?.url).not.toBe(b?.url);
      expect(a?.headers).toMatchObject({
        'cache-control': 'no-cache',
        pragma: 'no-cache',
        'x-team': 'docs',
      });
      expect(edge?.url).toBe('/freshprobe/canary.json');
      expect(edge?.headers['cache-control']).toBeUndefined();
    });

    it('origin uses originUrl as given', async () => {
      const server = await startHttp((_req, res) => res.end('ok'));
      const p = prober(`${server.origin}/c.json`, {
        vantage: 'origin',
        originUrl: `${server.origin}/raw/c.json`,
      });
      await p.probe(new AbortController().signal);
      expect(server.requests[0]?.url).toBe('/raw/c.json');
      expect(server.requests[0]?.headers['cache-control']).toBe('no-cache');
    });

    it('reuses one keep-alive connection for 20 sequential probes', async () => {
      const server = await startHttp((_req, res) => res.end('{"seq":1}'));
      const p = prober(`${server.origin}/c.json`);
      for (let i = 0; i < 20; i++) {
        const [result] = await p.probe(new AbortController().signal);
        expect(result?.status).toBe(200);
      }
      expect(server.requests).toHaveLength(20);
      expect(server.connections).toBe(1);
    });

    it('times out the connect phase (TCP + TLS handshake) by connectTimeoutMs', async () => {
      const silent = await startRaw(() => {}); // accepts TCP, never answers the TLS hello
      const quick = createNodeFetch({ connectTimeoutMs: 300 });
      try {
        const result = await probeOne(`https://127.0.0.1:${silent.port}/`, {
          fetch: quick.fetch,
          timeoutMs: 5000,
        });
        expect(result.error).toEqual({ class: 'timeout', message: 'connect timed out' });
        expect(result.durationMs).toBeLessThan(1500);
      } finally {
        await quick.close();
      }
    });

    it("works with the runtime's own fetch too", async () => {
      const server = await startHttp((_req, res) => res.end('ok'));
      expect(await probeOne(server.origin, { fetch: globalThis.fetch })).toMatchObject({
        status: 200,
        body: 'ok',
      });
      const port = await closedPort();
      const refused = await probeOne(`http://127.0.0.1:${port}/`, { fetch: globalThis.fetch });
      expect(refused.error?.class).toBe('connect');
    });
  });
});

/** What undici's fetch throws: a TypeError whose cause carries the socket error's code. */
const undiciError = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

describe('classifyFetchError', () => {
  it.each([
    [undiciError('EAI_AGAIN'), 'dns'],
    [undiciError('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    [undiciError('EHOSTUNREACH'), 'connect'],
    [undiciError('CERT_HAS_EXPIRED'), 'tls'],
    [undiciError('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    // Workers give only messages.
    [new Error('DNS lookup failed'), 'dns'],
    [new Error('TLS handshake failed: certificate not trusted'), 'tls'],
    [new Error('Network connection lost.'), 'connect'],
    [new DOMException('The operation timed out.', 'TimeoutError'), 'timeout'],
    ['a string', 'connect'],
  ])('%s -> %s', (err, expected) => {
    expect(classifyFetchError(err, 'https://docs.example.com/x').class).toBe(expected);
  });
});
