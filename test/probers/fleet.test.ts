import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { Prober } from '../../src/core/ports.js';
import {
  createFleetProber,
  type FleetProberOptions,
  parseNode,
} from '../../src/probers/fleet.node.js';
import { closeAll, selfSignedCert, startHttp, type TestServer } from './servers.js';

const SITE = 'site.test';
const probers: Prober[] = [];

afterEach(async () => {
  await Promise.all(probers.splice(0).map((p) => p.close?.()));
  await closeAll();
});

function fleet(
  opts: Partial<FleetProberOptions> & Pick<FleetProberOptions, 'url' | 'nodes'>,
): Prober {
  const prober = createFleetProber({
    timeoutMs: 3000,
    maxBodyBytes: 1024 * 1024,
    maxRedirects: 5,
    ...opts,
  });
  probers.push(prober);
  return prober;
}

const probe = async (p: Prober) =>
  (await p.probe(new AbortController().signal)).sort((a, b) => a.vantage.localeCompare(b.vantage));

/** Each node answers with its own address, so a result proves which node served it. */
const whoAmI = (ip: string) => (_req: unknown, res: import('node:http').ServerResponse) =>
  res.end(JSON.stringify({ node: ip }));

/**
 * Three nodes on 127.0.0.2-4 sharing one port, as a real fleet would. Linux routes all of
 * 127/8 to lo; where that is not so, fall back to distinct ports on 127.0.0.1.
 */
async function startFleet(): Promise<{ port: number; servers: TestServer[]; entries: string[] }> {
  try {
    const first = await startHttp(whoAmI('127.0.0.2'), { host: '127.0.0.2' });
    const rest = await Promise.all(
      ['127.0.0.3', '127.0.0.4'].map((ip) => startHttp(whoAmI(ip), { host: ip, port: first.port })),
    );
    const servers = [first, ...rest];
    return { port: first.port, servers, entries: servers.map((s) => s.host) };
  } catch {
    await closeAll();
    const servers = await Promise.all([2, 3, 4].map((n) => startHttp(whoAmI(`127.0.0.${n}`))));
    return { port: servers[0]!.port, servers, entries: servers.map((s) => `127.0.0.1:${s.port}`) };
  }
}

describe('fleet prober: configured nodes', () => {
  it('probes every node directly with the site Host header', async () => {
    const { port, servers, entries } = await startFleet();
    const p = fleet({ url: `http://${SITE}:${port}/freshprobe/canary.json`, nodes: entries });
    expect(p.kind).toBe('nodes');
    const results = await probe(p);
    expect(results.map((r) => r.vantage)).toEqual(entries.map((e) => `node:${e}`));
    for (const [i, result] of results.entries()) {
      expect(result).toMatchObject({
        status: 200,
        body: JSON.stringify({ node: `127.0.0.${i + 2}` }),
      });
      expect(result.error).toBeUndefined();
    }
    for (const server of servers) {
      expect(server.requests.map((r) => [r.url, r.headers.host])).toEqual([
        ['/freshprobe/canary.json', `${SITE}:${port}`],
      ]);
    }
  });

  it('reports a dead node as connect for that node only', async () => {
    const { port, entries } = await startFleet();
    const dead = entries[0]!.includes(':') ? '127.0.0.1:1' : '127.0.0.5';
    const results = await probe(
      fleet({ url: `http://${SITE}:${port}/c.json`, nodes: [...entries, dead] }),
    );
    const failed = results.filter((r) => r.error);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.vantage).toBe(`node:${dead}`);
    expect(failed[0]?.error?.class).toBe('connect');
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
  });

  it('names a node on another port node:<ip>:<port>', async () => {
    const server = await startHttp(whoAmI('127.0.0.1'));
    const results = await probe(
      fleet({ url: `http://${SITE}/c.json`, nodes: [`127.0.0.1:${server.port}`] }),
    );
    expect(results).toMatchObject([{ vantage: `node:127.0.0.1:${server.port}`, status: 200 }]);
    expect(server.requests[0]?.headers.host).toBe(SITE);
  });

  it('follows a redirect on the site host through the same node, others normally', async () => {
    const elsewhere = await startHttp((_req, res) => res.end('elsewhere'));
    const server = await startHttp((req, res) => {
      if (req.url === '/a')
        res.writeHead(302, { location: `http://${SITE}:${server.port}/b` }).end();
      else if (req.url === '/b') res.writeHead(302, { location: `${elsewhere.origin}/c` }).end();
      else res.writeHead(404).end();
    });
    const url = `http://${SITE}:${server.port}/a`;
    const [result] = await probe(fleet({ url, nodes: ['127.0.0.1'] }));
    expect(result).toMatchObject({ vantage: 'node:127.0.0.1', status: 200, body: 'elsewhere' });
    expect(server.requests.map((r) => [r.url, r.headers.host])).toEqual([
      ['/a', `${SITE}:${server.port}`],
      ['/b', `${SITE}:${server.port}`],
    ]);
    expect(elsewhere.requests.map((r) => r.url)).toEqual(['/c']);
  });
});

describe('fleet prober: TLS', () => {
  let cert: { key: string; cert: string };
  beforeAll(() => {
    cert = selfSignedCert(SITE);
  });
  afterAll(closeAll);

  it('sends SNI = site host and checks the certificate against it, not the node IP', async () => {
    const server = await startHttp(whoAmI('127.0.0.1'), { tls: cert });
    const url = `https://${SITE}:${server.port}/c.json`;
    const [trusted] = await probe(fleet({ url, nodes: ['127.0.0.1'], ca: cert.cert }));
    expect(trusted).toMatchObject({ vantage: 'node:127.0.0.1', status: 200 });
    expect(trusted?.error).toBeUndefined();
    expect(server.requests[0]).toMatchObject({
      servername: SITE,
      headers: { host: `${SITE}:${server.port}` },
    });
    const [untrusted] = await probe(fleet({ url, nodes: ['127.0.0.1'] }));
    expect(untrusted?.error?.class).toBe('tls');
  });

  it('rejects a trusted certificate that names another host', async () => {
    const server = await startHttp(whoAmI('127.0.0.1'), { tls: cert });
    const url = `https://other.test:${server.port}/c.json`;
    const [result] = await probe(fleet({ url, nodes: ['127.0.0.1'], ca: cert.cert }));
    expect(result?.error?.class).toBe('tls');
    expect(result?.error?.message).toMatch(/other\.test/);
  });
});

describe('fleet prober: resolve', () => {
  it('resolves localhost to its addresses and probes each', async () => {
    const server = await startHttp(whoAmI('127.0.0.1'));
    const results = await probe(
      fleet({ url: `http://localhost:${server.port}/c.json`, nodes: 'resolve' }),
    );
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.vantage.startsWith('node:'))).toBe(true);
    expect(results.find((r) => r.vantage === 'node:127.0.0.1')).toMatchObject({ status: 200 });
    expect(server.requests[0]?.headers.host).toBe(`localhost:${server.port}`);
  });

  it('gives one dns result when the name does not resolve', async () => {
    const results = await probe(
      fleet({ url: 'http://freshprobe-test.invalid/c.json', nodes: 'resolve' }),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ vantage: 'nodes', cache: {}, error: { class: 'dns' } });
    expect(results[0]?.error?.message).toMatch(/freshprobe-test\.invalid/);
  });
});

describe('parseNode', () => {
  const site = new URL('https://docs.example.com/c.json');
  it.each([
    ['10.0.0.1', { address: '10.0.0.1', port: 443, vantage: 'node:10.0.0.1' }],
    ['10.0.0.1:443', { address: '10.0.0.1', port: 443, vantage: 'node:10.0.0.1' }],
    ['10.0.0.1:8443', { address: '10.0.0.1', port: 8443, vantage: 'node:10.0.0.1:8443' }],
    ['2001:db8::1', { address: '2001:db8::1', port: 443, vantage: 'node:2001:db8::1' }],
    ['[2001:db8::1]', { address: '2001:db8::1', port: 443, vantage: 'node:2001:db8::1' }],
    [
      '[2001:db8::1]:8443',
      { address: '2001:db8::1', port: 8443, vantage: 'node:[2001:db8::1]:8443' },
    ],
  ])('%s', (entry, expected) => {
    expect(parseNode(entry, site)).toEqual(expected);
  });

  it.each(['node1.example.com', '10.0.0.1:99999', '10.0.0', ''])('rejects %j', (entry) => {
    expect(parseNode(entry, site)).toBeUndefined();
  });

  it('fails at creation on a bad entry, with its path', () => {
    const create = () =>
      createFleetProber({
        url: site.href,
        nodes: ['10.0.0.1', 'web-1'],
        timeoutMs: 1000,
        maxBodyBytes: 1,
        maxRedirects: 0,
      });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow('probe.nodes[1]: not an IP or IP:port: web-1');
  });
});
