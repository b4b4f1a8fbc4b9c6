/**
 * The CLI as CI uses it: `validate` exit codes and messages, `verify` against
 * a real local server whose content changes after a delay.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../bed/static-server.js';
import { BIN } from '../helpers/serve-process.js';

const exec = promisify(execFile);
const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let server: Server;
let base: string;
const switchAt = Date.now() + 2_500;

beforeAll(async () => {
  // Serves "release-1" until switchAt, then "release-2": a deploy landing mid-verify.
  server = createServer((req, res) => {
    if (req.url?.startsWith('/down')) return void res.writeHead(503).end();
    const release = Date.now() >= switchAt ? 'release-2' : 'release-1';
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<meta name="version" content="${release}">`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('freshprobe validate', () => {
  it('exits 0 for a valid config', async () => {
    const r = await cli(['validate', '--config', fixture('valid/minimal.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok, 1 site(s)');
  });

  it('exits 1 and lists every problem by path', async () => {
    const r = await cli(['validate', '--config', fixture('invalid/many-problems.yaml')]);
    expect(r.code).toBe(1);
    const problems = r.stderr.split('\n').filter((l) => /^[a-z]+(\[\d+\])?[.:]/.test(l));
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it('exits 1 for a file that does not exist', async () => {
    const r = await cli(['validate', '--config', fixture('nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read');
  });
});

describe('freshprobe canary', () => {
  it('deploys one canary, waits for it, prints latency with its bound, exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'freshprobe-canary-cli-'));
    try {
      await mkdir(join(dir, 'site'));
      const site = await startStaticServer(join(dir, 'site'));
      const file = join(dir, 'freshprobe.yaml');
      await writeFile(
        file,
        `storage: { sqlite: ${join(dir, 'db.sqlite')} }
sites:
  - id: docs
    url: ${site.url}/
    deploy: { kind: local-dir, dir: ${join(dir, 'site')} }
    probe: { vantages: [edge, origin], timeout: 2s }
`,
      );
      const r = await cli(['canary', 'docs', '--config', file, '--json']);
      await site.close();
      expect(r.code, r.stderr).toBe(0);
      const canary = JSON.parse(r.stdout);
      expect(canary).toMatchObject({ seq: 1, state: 'visible', kind: 'canary' });
      expect(canary.latencyBoundsMs[1]).toBeGreaterThanOrEqual(canary.latencyMs);
      const again = await cli(['canary', 'nope', '--config', file]);
      expect(again.code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('freshprobe verify', () => {
  it('exits 0 once the marker is served, with latency and bound in JSON', async () => {
    const r = await cli([
      'verify',
      `${base}/`,
      '--expect',
      'release-2',
      '--timeout',
      '30s',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.visible).toBe(true);
    const [lo, hi] = report.vantages.edge.latencyBoundsMs;
    expect(hi).toBeGreaterThanOrEqual(lo);
    expect(hi - lo).toBeLessThanOrEqual(1_500);
  });

  it('exits 1 when the marker never shows before the timeout', async () => {
    const r = await cli(['verify', `${base}/`, '--expect', 'release-9', '--timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not visible');
  });

  it('exits 2 when nothing answers at all', async () => {
    const r = await cli([
      'verify',
      'http://127.0.0.1:1/',
      '--expect',
      'x',
      '--timeout',
      '2s',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).vantages.edge.lastError).toMatch(/^connect/);
  });

  it('exits 2 for bad arguments', async () => {
    expect((await cli(['verify', `${base}/`])).code).toBe(2);
    expect((await cli(['verify', 'not-a-url', '--expect', 'x'])).code).toBe(2);
  });
});
