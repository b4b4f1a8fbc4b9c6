/**
 * Acceptance: kill -9 of `serve` after a canary is deployed but before it is
 * visible; after a restart the same canary resumes and gets its verdict, and
 * no seq is duplicated or skipped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSite, startDemoSite } from '../../src/runtime/demo-site.node.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';

const PUBLISH_DELAY_MS = 4_000;
const TOKEN = 'kill9-admin-token-0123456789';
let dir: string;
let platform: DemoSite;
const running: ServeProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-kill9-'));
  // Every random draw 0.99: fixed delay, and never the lagging-node branch.
  platform = await startDemoSite({
    random: () => 0.99,
    minDelayMs: PUBLISH_DELAY_MS,
    maxDelayMs: PUBLISH_DELAY_MS,
  });
  await writeFile(
    join(dir, 'freshprobe.yaml'),
    `server: { adminToken: ${TOKEN} }
storage: { sqlite: ${join(dir, 'db.sqlite')} }
sites:
  - id: pages
    url: ${platform.url}
    deploy: { kind: local-dir, dir: ${platform.stagingDir} }
    probe: { vantages: [edge, origin], interval: 30s, timeout: 3s }
    schedule: "0 0 1 1 *"
    timeout: 2m
    slo: { threshold: 1m }
`,
  );
});

afterAll(async () => {
  for (const p of running) await p.stop();
  await platform?.close();
  await rm(dir, { recursive: true, force: true });
});

interface CanaryJson {
  seq: number;
  state: string;
  deployedAt: number | null;
  latencyBoundsMs?: [number, number];
}

async function canaries(url: string): Promise<CanaryJson[]> {
  const res = await fetch(`${url}/api/v1/sites/pages/canaries`);
  return ((await res.json()) as { canaries: CanaryJson[] }).canaries;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crash safety', () => {
  it('resumes the open canary after kill -9 and keeps seqs contiguous', async () => {
    const first = await startServe(['--config', join(dir, 'freshprobe.yaml')], { cwd: dir });
    running.push(first);
    const deployed = await waitFor(
      async () => (await canaries(first.url)).find((c) => c.state === 'propagating'),
      15_000,
    );
    expect(deployed.seq).toBe(1);
    await first.kill9();

    const second = await startServe(['--config', join(dir, 'freshprobe.yaml')], { cwd: dir });
    running.push(second);
    const visible = await waitFor(
      async () => (await canaries(second.url)).find((c) => c.state === 'visible'),
      20_000,
    );
    expect(visible.seq).toBe(1);
    expect(visible.deployedAt).toBe(deployed.deployedAt);
    const [lo, hi] = visible.latencyBoundsMs!;
    expect(lo).toBeLessThanOrEqual(PUBLISH_DELAY_MS + 600);
    expect(hi).toBeGreaterThanOrEqual(PUBLISH_DELAY_MS);

    const manual = await fetch(`${second.url}/api/v1/sites/pages/canaries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(manual.status).toBe(202);
    expect(((await manual.json()) as CanaryJson).seq).toBe(2);
    expect((await canaries(second.url)).map((c) => c.seq)).toEqual([2, 1]);
  }, 60_000);
});
