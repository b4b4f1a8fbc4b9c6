/**
 * Acceptance: a push the remote rejects (a hook that exits 1; wrong
 * credentials) makes the site `deploy_failing` with git's own reason, never
 * `stale`, while the content served so far stays judged on its own.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requestCanary } from '../../src/core/deploy.js';
import { driveCanary } from '../../src/core/drive.js';
import { siteView } from '../../src/http/views.js';
import { startGitHttp } from '../bed/git-http.js';
import { createGitPages } from '../bed/git-pages.js';
import { startNginx } from '../bed/nginx.js';
import { harness } from '../helpers/site-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function site(url: string, remote: string, token?: string) {
  return {
    sites: [
      {
        id: 'pages',
        url,
        deploy: {
          kind: 'git',
          remote,
          branch: 'main',
          file: 'public/freshprobe/canary.json',
          ...(token ? { token } : {}),
        },
        probe: { vantages: ['edge'], interval: '1s', timeout: '2s' },
        timeout: '1m',
        slo: { threshold: '20s' },
      },
    ],
  };
}

async function firstCanary(config: unknown) {
  const h = await harness(config);
  cleanups.push(() => h.close());
  const rt = h.site('pages');
  const created = await requestCanary(h.deps, rt.spec, 'test');
  const canary = await driveCanary(h.deps, rt, created.seq);
  return { canary, view: await siteView(h.deps.store, rt.spec, Date.now()) };
}

describe('rejected deploys', () => {
  it('reports a pre-receive hook refusal as deploy_failing with the hook message', async () => {
    const pages = await createGitPages({
      rejectPushes: 'pages are frozen for maintenance',
      publishDir: 'public',
    });
    cleanups.push(() => pages.close());
    const nginx = await startNginx({ root: pages.root });
    cleanups.push(() => nginx.close());
    const { canary, view } = await firstCanary(site(`${nginx.url}/`, pages.remote));
    expect(canary.state).toBe('deploy_failed');
    expect(canary.deployError).toContain('pages are frozen for maintenance');
    expect(view.state).toBe('deploy_failing');
    expect(view.latest?.error).toContain('pages are frozen for maintenance');
  });

  it('reports wrong credentials as deploy_failing naming authentication, without the token', async () => {
    const pages = await createGitPages({ publishDir: 'public' });
    cleanups.push(() => pages.close());
    const http = await startGitHttp({
      projectRoot: pages.root,
      username: 'oauth2',
      password: 'right-token-123',
    });
    cleanups.push(() => http.close());
    const nginx = await startNginx({ root: pages.root });
    cleanups.push(() => nginx.close());
    const remote = `${http.url}/${pages.bareDir.split('/').pop()}`;
    const { canary, view } = await firstCanary(site(`${nginx.url}/`, remote, 'wrong-token-456'));
    expect(canary.state).toBe('deploy_failed');
    expect(canary.deployError).toMatch(/authentication/i);
    expect(canary.deployError).not.toContain('wrong-token-456');
    expect(view.state).toBe('deploy_failing');
  });
});
