/**
 * Acceptance: a real bare git repo whose post-receive hook publishes after an
 * injected delay D, served by nginx. For every D the reported latency bounds
 * contain D, and for D up to 10 s the bound is at most 1.5 s wide.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requestCanary } from '../../src/core/deploy.js';
import { driveCanary } from '../../src/core/drive.js';
import { createGitPages, type GitPages } from '../bed/git-pages.js';
import { type NginxServer, startNginx } from '../bed/nginx.js';
import { type Harness, harness } from '../helpers/site-harness.js';

const DELAYS_MS = [500, 2_000, 5_000, 10_000, 20_000];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function measure(delayMs: number) {
  const pages: GitPages = await createGitPages({ publishDelayMs: delayMs, publishDir: 'public' });
  cleanups.push(() => pages.close());
  const nginx: NginxServer = await startNginx({ root: pages.servedDir });
  cleanups.push(() => nginx.close());
  const h: Harness = await harness({
    sites: [
      {
        id: 'pages',
        url: `${nginx.url}/`,
        deploy: {
          kind: 'git',
          remote: pages.remote,
          branch: 'main',
          file: 'public/freshprobe/canary.json',
        },
        probe: { vantages: ['edge', 'origin'], interval: '60s', timeout: '5s' },
        timeout: '2m',
        slo: { threshold: '1m' },
      },
    ],
  });
  cleanups.push(() => h.close());
  const rt = h.site('pages');
  const created = await requestCanary(h.deps, rt.spec, 'test');
  const canary = await driveCanary(h.deps, rt, created.seq);
  const [published] = await pages.published();
  return { canary, publishedAt: published?.at };
}

describe('deploy-to-visible latency through git + nginx', () => {
  it('brackets the injected publish delay within the reported bounds', async () => {
    const results = await Promise.all(DELAYS_MS.map(measure));
    results.forEach(({ canary, publishedAt }, i) => {
      const d = DELAYS_MS[i]!;
      expect(`${canary.state} ${canary.deployError ?? ''}`.trim(), `D=${d}`).toBe('visible');
      const [lo, hi] = canary.latencyBoundsMs!;
      if (process.env.FRESHPROBE_PRINT)
        console.log(`D=${d} latency=${canary.latencyMs} bounds=[${lo}, ${hi}] width=${hi - lo}`);
      expect(d, `D=${d} in [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo);
      expect(d, `D=${d} in [${lo}, ${hi}]`).toBeLessThanOrEqual(hi);
      // The hook's own log of when it swapped the symlink lies inside too.
      const truth = publishedAt! - canary.deployedAt!;
      expect(truth).toBeGreaterThanOrEqual(lo - 5);
      expect(truth).toBeLessThanOrEqual(hi);
      if (d <= 10_000) expect(hi - lo, `bound width for D=${d}`).toBeLessThanOrEqual(1_500);
      expect(canary.vantages.origin?.visibleAt).toBeDefined();
    });
  }, 90_000);
});
