import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { type NginxServer, startNginx } from './nginx.js';

/** True while a process with this pid exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of a process's children (the nginx workers), from /proc. */
async function children(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.split(' ').filter(Boolean).map(Number);
}

/** Publishes `content` as release `name` and points `current` at it atomically, like a pages host. */
async function release(site: string, name: string, content: string): Promise<void> {
  await mkdir(join(site, name), { recursive: true });
  await writeFile(join(site, name, 'canary.json'), content);
  await symlink(name, join(site, 'current.tmp'));
  await rename(join(site, 'current.tmp'), join(site, 'current'));
}

describe('startNginx', () => {
  let site: string;
  let nginx: NginxServer | undefined;

  beforeEach(async () => {
    site = await mkdtemp(join(tmpdir(), 'freshprobe-nginx-test-'));
  });

  afterEach(async () => {
    await nginx?.close();
    nginx = undefined;
    await rm(site, { recursive: true, force: true });
  });

  it('serves files with max-age=0, 404s for missing ones', async () => {
    await writeFile(join(site, 'hello.txt'), 'hello');
    nginx = await startNginx({ root: site });
    const ok = await fetch(new URL('hello.txt', nginx.url));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello');
    expect(ok.headers.get('cache-control')).toBe('max-age=0');
    expect(ok.headers.get('etag')).toBeTruthy();
    const missing = await fetch(new URL('nope.txt', nginx.url));
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
  });

  it('follows a swapped `current` symlink immediately', async () => {
    await release(site, 'r1', '{"seq":1}');
    nginx = await startNginx({ root: join(site, 'current') });
    const read = async () => (await fetch(new URL('canary.json', nginx!.url))).text();
    expect(await read()).toBe('{"seq":1}');
    await release(site, 'r2', '{"seq":2}');
    expect(await read()).toBe('{"seq":2}');
  });

  it('takes extra server config and reloads', async () => {
    nginx = await startNginx({
      root: site,
      extraServerConfig: 'location = /ping { return 200 "pong"; }',
    });
    await nginx.reload();
    const res = await fetch(new URL('ping', nginx.url));
    expect(await res.text()).toBe('pong');
  });

  it('uses a given port', async () => {
    const port = await freePort();
    nginx = await startNginx({ root: site, port });
    expect(nginx.port).toBe(port);
    expect(nginx.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it('close() stops every nginx process and frees the port', async () => {
    const server = await startNginx({ root: site });
    const { pid, url } = server;
    const workers = await children(pid);
    expect(workers.length).toBeGreaterThan(0);
    await server.close();
    for (const p of [pid, ...workers]) expect(alive(p)).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('fails fast, without retrying, when a given port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const started = Date.now();
      await expect(startNginx({ root: site, port })).rejects.toThrow(/Address already in use/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      blocker.close();
    }
  });
});
