/**
 * Acceptance (issue 7): an external deploy registered through
 * `verify --server` is tracked like a canary: it shows in the API with its
 * latency and bound, and verify exits with the server's verdict.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import { type RunningServer, startServer } from '../../src/runtime/serve.node.js';
import { BIN } from '../helpers/serve-process.js';

const exec = promisify(execFile);
const TOKEN = 'external-admin-token-0123456789';
const OLD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const NEW = 'fedcba98765432100123456789abcdef01234567';
let dir: string;
let site: Server;
let server: RunningServer;
let publishAt = Number.POSITIVE_INFINITY;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-external-'));
  site = createServer((req, res) => {
    if (req.url?.startsWith('/freshprobe/')) return void res.writeHead(404).end();
    // The first marker probe comes right after registration: the "pipeline" publishes 2.5 s later.
    if (publishAt === Number.POSITIVE_INFINITY) publishAt = Date.now() + 2_500;
    const sha = Date.now() >= publishAt ? NEW : OLD;
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<html><head><meta name="commit" content="${sha}"></head></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  const config = {
    server: { adminToken: TOKEN },
    storage: { sqlite: join(dir, 'db.sqlite') },
    sites: [
      {
        id: 'www',
        url,
        deploy: { kind: 'local-dir', dir },
        schedule: '0 0 1 1 *',
        probe: { vantages: ['edge', 'origin'], interval: '30s', timeout: '2s' },
        marker: { path: '/', meta: 'commit' },
        timeout: '1m',
        slo: { threshold: '20s' },
      },
    ],
  };
  server = await startServer({
    loaded: parseConfigObject(config, {}),
    log: silentLogger,
    port: 0,
    host: '127.0.0.1',
  });
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((r) => site?.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('external deploys', () => {
  it('tracks a deploy registered by verify --server and reports its latency with a bound', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const { stdout } = await exec(
      process.execPath,
      [
        BIN,
        'verify',
        '--server',
        base,
        '--site',
        'www',
        '--expect',
        NEW.slice(0, 12),
        '--timeout',
        '40s',
        '--json',
      ],
      { env: { ...process.env, FRESHPROBE_ADMIN_TOKEN: TOKEN }, timeout: 60_000 },
    );
    const verdict = JSON.parse(stdout);
    expect(verdict).toMatchObject({ kind: 'external', state: 'visible', marker: NEW.slice(0, 12) });
    const [lo, hi] = verdict.latencyBoundsMs;
    expect(lo).toBeLessThanOrEqual(verdict.latencyMs);
    expect(hi).toBeGreaterThanOrEqual(verdict.latencyMs);
    expect(hi - lo).toBeLessThanOrEqual(1_500);
    expect(verdict.latencyMs).toBeGreaterThanOrEqual(1_500);

    const list = await (await fetch(`${base}/api/v1/sites/www/canaries`)).json();
    const tracked = list.canaries.find((c: { kind: string }) => c.kind === 'external');
    expect(tracked.seq).toBe(verdict.seq);
    expect(tracked.phases.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['accepted', 'visible:edge']),
    );
  }, 70_000);

  it('refuses a registration without the admin token', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/sites/www/deploys`, {
      method: 'POST',
      body: JSON.stringify({ marker: 'x' }),
    });
    expect(res.status).toBe(401);
  });
});
