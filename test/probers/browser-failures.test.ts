/**
 * The browser prober when things go wrong, against real Chromium: a page without a marker (its
 * screenshot stored through the real core), refused connections, DNS failures, silence, and
 * the Chromium process itself (gone after close(), relaunched after a crash).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { readMarker } from '../../src/core/canary.js';
import { silentLogger } from '../../src/core/deps.js';
import type { Prober } from '../../src/core/ports.js';
import { stepSite } from '../../src/core/step.js';
import { type BrowserProberOptions, createBrowserProber } from '../../src/probers/browser.node.js';
import { bootstrap } from '../../src/runtime/bootstrap.node.js';
import { harness } from '../helpers/site-harness.js';
import { processesUsing, startBrowserSite } from './browser-site.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-browser-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function prober(o: Partial<BrowserProberOptions> & { url: string }): Promise<Prober> {
  const p = createBrowserProber({
    format: 'html',
    timeoutMs: 5_000,
    maxBodyBytes: 1 << 20,
    profileDir: join(await tempDir(), 'profile'),
    ...o,
  });
  cleanups.push(() => p.close!());
  return p;
}

const probeOnce = async (p: Prober) => (await p.probe(new AbortController().signal))[0]!;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

describe('browser prober failures', () => {
  it('a page that never shows a marker is an error with a stored screenshot', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'freshprobe'));
    await writeFile(join(dir, 'freshprobe/canary.html'), '<h1>Maintenance</h1>');
    const site = await startBrowserSite({ dir, serviceWorker: false });
    cleanups.push(() => site.close());
    const h = await harness({
      sites: [
        {
          id: 'blank',
          url: `${site.origin}/`,
          canary: { path: '/freshprobe/canary.html' },
          deploy: { kind: 'local-dir', dir },
          probe: { vantages: ['browser'], interval: '1s', timeout: '2s' },
        },
      ],
    });
    const rt = h.runtimes[0]!;
    cleanups.push(async () => {
      await Promise.all(rt.probers.map((p) => p.close?.()));
      await h.close();
    });

    await stepSite(h.deps, rt);

    const [status] = await h.deps.store.vantageStatuses('blank');
    expect(status).toMatchObject({ vantage: 'browser', state: 'error', errorClass: 'no_marker' });
    const shots = await h.deps.store.listScreenshots('blank', 10);
    expect(shots).toHaveLength(1);
    expect(shots[0]).toMatchObject({ vantage: 'browser', siteId: 'blank' });
    const png = await h.deps.store.getScreenshot('blank', shots[0]!.takenAt);
    expect([...png!.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(png!.byteLength).toBe(shots[0]!.bytes);
  });

  it('a refused connection is `connect`, with a screenshot of the error page', async () => {
    const port = await closedPort();
    const result = await probeOnce(await prober({ url: `http://127.0.0.1:${port}/c.html` }));
    expect(result.error).toMatchObject({ class: 'connect' });
    expect(result.error?.message).toContain('ERR_CONNECTION_REFUSED');
    expect(result.status).toBeUndefined();
    expect([...result.screenshot!.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
  });

  it('an unknown host is `dns`', async () => {
    const result = await probeOnce(await prober({ url: 'http://freshprobe-test.invalid/c.html' }));
    expect(result.error).toMatchObject({ class: 'dns' });
  });

  it('a server that never answers is `timeout` within the budget', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/c.html`;
    const p = await prober({ url, timeoutMs: 1_500 });
    const result = await probeOnce(p);
    expect(result.error).toMatchObject({ class: 'timeout' });
    expect(result.error?.message).toMatch(/did not load within \d+ ms/);
    expect(result.durationMs).toBeLessThan(5_000);

    // The caller's abort (the round guard) ends a probe at once, as a timeout.
    const started = Date.now();
    const aborted = await p.probe(AbortSignal.timeout(300));
    expect(aborted[0]?.error).toEqual({ class: 'timeout', message: 'probe aborted' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reads a JSON canary as Chromium renders it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'freshprobe'));
    const canary = { freshprobe: 1, site: 's', seq: 3, token: 'ab'.repeat(16), deployedAt: 'x' };
    await writeFile(join(dir, 'freshprobe/canary.json'), `${JSON.stringify(canary)}\n`);
    const site = await startBrowserSite({ dir, serviceWorker: false });
    cleanups.push(() => site.close());
    const url = `${site.origin}/freshprobe/canary.json`;
    const result = await probeOnce(await prober({ url, format: 'json' }));
    expect(result).toMatchObject({ vantage: 'browser', status: 200 });
    expect(readMarker(result.body!)).toMatchObject({ seq: 3, token: canary.token });
    expect(result.screenshot).toBeUndefined();
  });
});

describe('the Chromium process', () => {
  it('is gone after close(), and relaunched after a crash', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'freshprobe'));
    await writeFile(join(dir, 'freshprobe/c.json'), '{"freshprobe":1,"seq":1,"token":"t"}');
    const site = await startBrowserSite({ dir, serviceWorker: false });
    cleanups.push(() => site.close());
    const profileDir = join(dir, 'profile');
    const p = await prober({ url: `${site.origin}/freshprobe/c.json`, format: 'json', profileDir });
    expect(await processesUsing(profileDir)).toEqual([]); // launched lazily

    expect(await probeOnce(p)).toMatchObject({ status: 200 });
    expect(await browserPids(profileDir)).toHaveLength(1);

    // Crash the browser (ours: this prober started it); its helpers go with it. Probe again.
    for (const pid of await browserPids(profileDir)) process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await processesUsing(profileDir)).length === 0);
    expect(await probeOnce(p)).toMatchObject({ status: 200 });
    expect((await processesUsing(profileDir)).length).toBeGreaterThan(0);

    await p.close!();
    expect(await processesUsing(profileDir)).toEqual([]);
  });
});

describe('freshprobe and its browser', () => {
  it('keeps the profile beside the database and ends Chromium on shutdown', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'site/freshprobe'), { recursive: true });
    const site = await startBrowserSite({ dir: join(dir, 'site'), serviceWorker: false });
    cleanups.push(() => site.close());
    const { config } = parseConfigObject(
      {
        storage: { sqlite: 'fp.db' },
        sites: [
          {
            id: 'b',
            url: `${site.origin}/`,
            deploy: { kind: 'local-dir', dir: join(dir, 'site') },
            probe: { vantages: ['browser'], timeout: '3s' },
          },
        ],
      },
      {},
    );
    const boot = await bootstrap(config, silentLogger, [], dir);
    await stepSite(boot.deps, boot.runtimes[0]!);
    const profileDir = join(dir, 'browser');
    expect(await browserPids(profileDir)).toHaveLength(1);
    await boot.close();
    expect(await processesUsing(profileDir)).toEqual([]);
  });
});

/**
 * The main Chromium process of a profile: its helpers carry a `--type=`, and a child caught
 * between fork and exec still shows its parent's command line, so the main one is also the
 * one whose parent is not a Chromium of this profile.
 */
async function browserPids(profileDir: string): Promise<number[]> {
  const pids = await processesUsing(profileDir);
  const read = (pid: number, file: string) =>
    readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
  const infos = await Promise.all(
    pids.map(async (pid) => ({
      pid,
      cmdline: (await read(pid, 'cmdline')) || '--type=gone',
      // The fields after the last ')' of stat are state, then the parent's pid.
      ppid: Number((await read(pid, 'stat')).split(') ').at(-1)?.split(' ')[1]),
    })),
  );
  return infos
    .filter((p) => !p.cmdline.includes('--type=') && !pids.includes(p.ppid))
    .map((p) => p.pid);
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
