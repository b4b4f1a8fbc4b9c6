/** The 90-day bar reads daily rows: a visible canary must be counted in its day as soon as it closes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requestCanary } from '../../src/core/deploy.js';
import { driveCanary } from '../../src/core/drive.js';
import { dayOf } from '../../src/core/time.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { type Harness, harness } from '../helpers/site-harness.js';

let dir: string;
let site: StaticServer;
let h: Harness;
afterAll(async () => {
  await h?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('daily freshness rollup', () => {
  it('counts a visible canary within the SLO in its day', async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshprobe-daily-'));
    site = await startStaticServer(dir);
    h = await harness({
      sites: [
        {
          id: 'd',
          url: `${site.url}/`,
          deploy: { kind: 'local-dir', dir },
          probe: { vantages: ['edge'], timeout: '2s' },
        },
      ],
    });
    const created = await requestCanary(h.deps, h.site('d').spec, 'test');
    const canary = await driveCanary(h.deps, h.site('d'), created.seq);
    expect(canary.state).toBe('visible');
    const [day] = await h.deps.store.dailyFreshness(dayOf(canary.intentAt), 'd');
    expect(day).toMatchObject({ canaries: 1, withinSlo: 1, visible: 1, timedOut: 0 });
  });
});
