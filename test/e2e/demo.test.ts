/**
 * Acceptance: `serve` with no config runs the demo; within 60 s a canary is
 * visible and the site reads fresh, with latency and bound in the API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';

let dir: string | undefined;
let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface SiteJson {
  id: string;
  state: string;
  latest?: { seq: number; state: string; latencyMs?: number; latencyBoundsMs?: [number, number] };
}

describe('the demo', () => {
  it('shows a canary reaching fresh within a minute, labelled as a demo', async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshprobe-demo-test-'));
    serve = await startServe([], { cwd: dir });
    const page = await (await fetch(`${serve.url}/`)).text();
    expect(page).toContain('This is the built-in demo');
    const deadline = Date.now() + 60_000;
    let site: SiteJson | undefined;
    while (Date.now() < deadline) {
      const body = (await (await fetch(`${serve.url}/api/v1/sites`)).json()) as {
        sites: SiteJson[];
      };
      site = body.sites[0];
      if (site?.state === 'fresh' && site.latest?.state === 'visible') break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(site?.state).toBe('fresh');
    expect(site?.latest?.state).toBe('visible');
    const [lo, hi] = site!.latest!.latencyBoundsMs!;
    expect(site!.latest!.latencyMs!).toBeGreaterThanOrEqual(lo);
    expect(site!.latest!.latencyMs!).toBeLessThanOrEqual(hi);
    expect(lo).toBeGreaterThan(1_000); // the demo publishes after at least 2 s
  }, 80_000);
});
