import { mkdir, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoSite, startDemoSite } from '../../src/runtime/demo-site.node.js';

const CANARY = '/freshprobe/canary.json';
// Delays shortened so a deploy lands in 200-400 ms and node B's lag is a fixed 1.5 s.
const FAST = { minDelayMs: 200, maxDelayMs: 400, lagMinMs: 1500, lagMaxMs: 1500 };

/**
 * Scripted randomness: queued draws first (three per deploy: delay, lag roll,
 * lag size), then alternating 0.1 / 0.9 so the edge visits both nodes.
 */
function scriptedRandom() {
  const queue: number[] = [];
  let flip = 0;
  const random = () => queue.shift() ?? (flip++ % 2 === 0 ? 0.1 : 0.9);
  return { random, queue };
}
const LAGGING = [0, 0, 0]; // min delay; roll 0 < 1/3 so node B lags
const PROMPT = [0, 0.9, 0]; // min delay; roll 0.9 so no lag

/** Stages like a deployer: write a temp file beside it, then rename over. */
async function stage(site: DemoSite, seq: number): Promise<void> {
  const dir = join(site.stagingDir, 'freshprobe');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'canary.json.tmp'), JSON.stringify({ freshprobe: 1, seq }));
  await rename(join(dir, 'canary.json.tmp'), join(dir, 'canary.json'));
}

async function get(base: string, path = CANARY) {
  const res = await fetch(new URL(path, base));
  const body = await res.text();
  const seq = res.status === 200 && path === CANARY ? JSON.parse(body).seq : undefined;
  return { status: res.status, body, seq, servedBy: res.headers.get('x-served-by') };
}

const nodeUrl = (address: string) => `http://${address}/`;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

const seqAt = (base: string, seq: number) => async () => (await get(base)).seq === seq;

describe('startDemoSite', () => {
  let site: DemoSite | undefined;

  afterEach(async () => {
    await site?.close();
    site = undefined;
  });

  it('publishes to node A, then the lagging node B, then the edge serves it consistently', async () => {
    const { random, queue } = scriptedRandom();
    site = await startDemoSite({ random, ...FAST });
    const [nodeA, nodeB] = site.nodes.map(nodeUrl) as [string, string];
    expect((await get(site.url)).status).toBe(404);
    queue.push(...LAGGING);
    await stage(site, 1);
    await waitFor(seqAt(nodeA, 1));
    const aAt = Date.now();
    expect((await get(nodeB)).status).toBe(404);
    await waitFor(seqAt(nodeB, 1));
    expect(Date.now() - aAt).toBeGreaterThan(1000);
    const served = new Set<string | null>();
    for (let i = 0; i < 20; i++) {
      const res = await get(site.url);
      expect(res.seq).toBe(1);
      served.add(res.servedBy);
    }
    expect(served).toEqual(new Set(['demo-node-A', 'demo-node-B']));
  });

  it('never lets an older version that lands later overwrite a newer one', async () => {
    const { random, queue } = scriptedRandom();
    site = await startDemoSite({ random, ...FAST });
    const [nodeA, nodeB] = site.nodes.map(nodeUrl) as [string, string];
    queue.push(...LAGGING);
    await stage(site, 1);
    await waitFor(seqAt(nodeA, 1));
    queue.push(...PROMPT);
    await stage(site, 2);
    await waitFor(seqAt(nodeB, 2)); // version 2 reaches B long before version 1's lag ends
    await sleep(1700);
    expect((await get(nodeB)).seq).toBe(2);
    expect((await get(nodeA)).seq).toBe(2);
  });

  it('serves an index page that says it is the demo, and 404s for missing files', async () => {
    site = await startDemoSite(FAST);
    for (const base of [site.url, ...site.nodes.map(nodeUrl)]) {
      const index = await get(base, '/');
      expect(index.status).toBe(200);
      expect(index.body).toContain('freshprobe demo site');
      expect((await get(base, '/nope.txt')).status).toBe(404);
    }
    for (const address of site.nodes) expect(address).toMatch(/^127\.0\.0\.\d+:\d+$/);
  });

  it('skips symlinks and empty files, survives odd ones', async () => {
    const { random, queue } = scriptedRandom();
    site = await startDemoSite({ random, ...FAST });
    queue.push(...PROMPT);
    await symlink('/etc/hostname', join(site.stagingDir, 'leak.txt'));
    await mkdir(join(site.stagingDir, 'empty-dir'));
    await writeFile(join(site.stagingDir, 'empty.txt'), '');
    await writeFile(join(site.stagingDir, 'ok.txt'), 'ok');
    const nodeA = nodeUrl(site.nodes[0]!);
    await waitFor(async () => (await get(nodeA, '/ok.txt')).status === 200);
    expect((await get(nodeA, '/leak.txt')).status).toBe(404);
    expect((await get(nodeA, '/empty.txt')).status).toBe(404);
  });

  it('close() stops every server and removes its temp dir', async () => {
    const demo = await startDemoSite(FAST);
    await demo.close();
    for (const base of [demo.url, ...demo.nodes.map(nodeUrl)]) {
      await expect(fetch(base)).rejects.toThrow();
    }
    await expect(stat(demo.stagingDir)).rejects.toThrow();
  });
});
