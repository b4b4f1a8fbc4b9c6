import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NginxServer, startNginx } from './nginx.js';
import { startVarnish, type VarnishEdge } from './varnish.js';

const execFileP = promisify(execFile);
let dir: string;
let nginx: NginxServer;
let edge: VarnishEdge;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-varnish-test-'));
  await writeFile(join(dir, 'a.txt'), 'one');
  nginx = await startNginx({ root: dir });
  edge = await startVarnish({
    backends: [{ host: nginx.host, port: nginx.port }],
    ttlSeconds: 3,
  });
});

afterAll(async () => {
  await edge?.close();
  await nginx?.close();
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await fetch(new URL(path, edge.url));
  return { status: res.status, text: await res.text(), cache: res.headers.get('x-cache') };
}

describe('varnish edge', () => {
  it('keeps a 200 for its TTL, then fetches again; never caches a 404', async () => {
    expect(await get('a.txt')).toMatchObject({ text: 'one', cache: 'MISS' });
    await writeFile(join(dir, 'a.txt'), 'two');
    expect(await get('a.txt')).toMatchObject({ text: 'one', cache: 'HIT' });
    expect((await get('missing.txt')).status).toBe(404);
    await writeFile(join(dir, 'missing.txt'), 'here');
    expect(await get('missing.txt')).toMatchObject({ status: 200, text: 'here' });
    await expect.poll(async () => (await get('a.txt')).text, { timeout: 6_000 }).toBe('two');
  });

  it('refills the cache from a purge command, and answers 503 during a burst', async () => {
    await writeFile(join(dir, 'b.txt'), 'old');
    await execFileP('sh', ['-c', edge.purgeAndRefillCommand('/b.txt')]);
    await writeFile(join(dir, 'b.txt'), 'new');
    expect(await get('b.txt')).toMatchObject({ text: 'old', cache: 'HIT' });
    const from = await edge.startBurst();
    expect(await get('b.txt')).toMatchObject({ status: 503 });
    const to = await edge.endBurst();
    expect(to).toBeGreaterThanOrEqual(from);
    expect((await get('b.txt')).status).toBe(200);
  });

  it('stops and removes its work dir', async () => {
    const other = await startVarnish({ backends: [{ host: '127.0.0.1', port: 9 }], ttlSeconds: 0 });
    expect((await fetch(other.url)).status).toBe(503);
    await other.close();
    expect(() => process.kill(other.pid, 0)).toThrow();
    expect(existsSync(other.dir)).toBe(false);
  });
});
