/**
 * Acceptance: restarting `serve` on a database of 5 million observations
 * while a client polls `/` every 50 ms. Under socket activation (the socket
 * outlives the process) the client sees only 503 + Retry-After, then 200
 * with the right page: never a refusal, a 404 or an empty status page. And
 * without socket activation the listener opens only once loaded.
 */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openListener } from '../../src/runtime/listen.node.js';
import { freePort } from '../bed/free-port.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { seedObservations } from './seed.js';
import { holdSocket, type SocketHolder } from './socket-holder.js';
import { bundle, removeBundle, sleep, spawnServe } from './support.js';

const ROWS = 5_000_000;
const SITES = ['site-0', 'site-1', 'site-2'];
let dir: string;
let origin: StaticServer;
let holder: SocketHolder | undefined;
const pids: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-ready-'));
  await mkdir(join(dir, 'www'));
  origin = await startStaticServer(join(dir, 'www'));
  const seedMs = seedObservations(join(dir, 'db.sqlite'), {
    rows: ROWS,
    sites: 50,
    from: Date.now() - 20 * 86_400_000,
  });
  console.info(`seeded ${ROWS} observations in ${(seedMs / 1000).toFixed(1)} s`);
  const sites = SITES.map(
    (id, i) => `  - id: ${id}
    name: Docs number ${i}
    url: ${origin.url}/
    canary: { path: /${id}/canary.json }
    deploy: { kind: local-dir, dir: ${join(dir, 'www')} }
    probe: { interval: 5s, timeout: 2s }
    schedule: "0 0 1 1 *"`,
  );
  await writeFile(
    join(dir, 'freshprobe.yaml'),
    `server: { rateLimit: { enabled: false } }
storage: { sqlite: db.sqlite }
sites:
${sites.join('\n')}
`,
  );
  await bundle();
}, 600_000);

afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  await holder?.close();
  await origin?.close();
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

interface Seen {
  at: number;
  status: number | 'error';
  retryAfter?: string;
  rightPage: boolean;
}

/** One GET on a fresh connection: a queued connection must not ride a dead keep-alive. */
function get(url: string): Promise<Omit<Seen, 'at'>> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        const rightPage = SITES.every((_, i) => body.includes(`Docs number ${i}`));
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter, rightPage });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 'error', rightPage: false }));
    req.end();
  });
}

function poll(url: string) {
  const seen: Seen[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const at = Date.now();
      seen.push({ at, ...(await get(`${url}/`)) });
      await sleep(50);
    }
  })();
  return {
    seen,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

/** Gone, or a zombie: the supervisor shell only reaps its children now and then. */
async function exitOf(pid: number): Promise<void> {
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat || /^\d+ \(.*\) Z/.test(stat)) return;
    await sleep(20);
  }
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('readiness', () => {
  it('gates every route while loading: 503 + Retry-After (alive on /healthz), then the app', async () => {
    const listener = await openListener({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${listener.port}`;
    try {
      for (const path of [
        '/',
        '/api/v1/sites',
        '/sites/site-0',
        '/badge/site-0/status.svg',
        '/nope',
      ]) {
        const res = await fetch(`${url}${path}`);
        expect([path, res.status, res.headers.get('retry-after')]).toEqual([path, 503, '1']);
      }
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      listener.setApp(() => new Response('loaded'));
      expect(await (await fetch(`${url}/`)).text()).toBe('loaded');
    } finally {
      await listener.close();
    }
  });

  it('answers 503 + Retry-After, then the right page, across a restart on 5M rows', async () => {
    holder = await holdSocket(['--config', 'freshprobe.yaml'], { cwd: dir });
    pids.push(await holder.start());
    const warm = poll(holder.url);
    await until(() => warm.seen.some((s) => s.status === 200), 30_000, 'the first start');
    await sleep(500);
    process.kill(pids[0]!, 'SIGTERM');
    await exitOf(pids[0]!);
    const restartAt = Date.now();
    pids.push(await holder.start());
    await until(() => warm.seen.some((s) => s.at > restartAt && s.status === 200), 30_000, 'ready');
    await sleep(1_000);
    await warm.stop();

    const after = warm.seen.filter((s) => s.at >= restartAt);
    const codes = warm.seen.map((s) => s.status);
    expect(codes.filter((c) => c !== 200 && c !== 503)).toEqual([]); // no 404, no refusal
    expect(warm.seen.filter((s) => s.status === 503 && s.retryAfter !== '1')).toEqual([]);
    expect(warm.seen.filter((s) => s.status === 200 && !s.rightPage)).toEqual([]);
    // Once the new process serves pages it never goes back to "starting".
    const firstOk = after.findIndex((s) => s.status === 200);
    expect(after.slice(firstOk).every((s) => s.status === 200)).toBe(true);
    const starting = after.find((s) => s.status === 503);
    const readyAt = after[firstOk]!.at;
    console.info(
      `restart on ${ROWS} rows: ${after.filter((s) => s.status === 503).length} x 503, ` +
        `first 503 after ${starting ? starting.at - restartAt : '-'} ms, ` +
        `200 after ${readyAt - restartAt} ms from the restart`,
    );
    if (starting) expect(readyAt - starting.at).toBeLessThan(2_000);
    expect(readyAt - restartAt).toBeLessThan(8_000);
  }, 120_000);

  it('without socket activation, opens the listener only once loaded', async () => {
    const port = await freePort();
    const polling = poll(`http://127.0.0.1:${port}`);
    const served = await spawnServe(['--config', 'freshprobe.yaml', '--port', String(port)], {
      cwd: dir,
    });
    pids.push(served.pid);
    await served.listening;
    await until(() => polling.seen.some((s) => s.status === 200), 30_000, 'ready');
    await polling.stop();
    // Refused while loading (nothing listens yet), then the loaded page: nothing in between.
    const answers = polling.seen.filter((s) => s.status !== 'error');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s.status === 200 && s.rightPage)).toBe(true);
    served.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
  }, 60_000);
});
