/**
 * Acceptance: no configured secret (admin token, deploy tokens, remotes and
 * hooks with credentials, notifier URLs and keys, probe headers) appears in
 * any public response. A real `serve` process with a config full of secrets
 * runs until its startup deploys have failed, so error messages are in the
 * data too; then every public route is requested and searched.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';

const SECRETS = {
  FP_ADMIN_TOKEN: 'admin-3c1f9e0b7a5d4e21',
  FP_GIT_TOKEN: 'glpat-7Hs2kQ9xWm4vLp0ZrT1c',
  FP_GIT_PASSWORD: 'remote-pass-5e8b2c71',
  FP_DEPLOY_HOOK: 'hook-path-token-91d0a4fe',
  FP_DEPLOY_HEADER: 'deploy-bearer-6b13c2aa',
  FP_SLACK: 'T0001/B0002/slackSecretXyZ123',
  FP_WEBHOOK_TOKEN: 'wh-query-token-0f4e7d',
  FP_WEBHOOK_HMAC: 'hmac-secret-88aa11cc',
  FP_PD_KEY: 'pdroutingkey0123456789abcdef',
  FP_SMTP_PASS: 'smtp-pass-4d2e9f',
  FP_PROBE_AUTH: 'probe-bearer-2a7c5e19',
};

const CONFIG = `
server: { adminToken: \${FP_ADMIN_TOKEN}, publicUrl: https://status.example.com }
storage: { sqlite: data/secrets.db }
defaults:
  probe: { interval: 2s, timeout: 2s, headers: { Authorization: "Bearer \${FP_PROBE_AUTH}" } }
sites:
  - id: docs
    name: Docs
    group: Pages
    url: http://127.0.0.1:9/
    deploy: { kind: git, remote: "https://127.0.0.1:9/acme/docs.git", token: \${FP_GIT_TOKEN},
              file: public/freshprobe/canary.json, allowPrivateAddresses: true }
    runbook: https://wiki.example.com/runbooks/pages
    notify: [ops, hook, pager, mail]
  - id: blog
    url: http://127.0.0.1:9/
    deploy: { kind: git, remote: "https://deployer:\${FP_GIT_PASSWORD}@127.0.0.1:9/acme/blog.git",
              file: public/freshprobe/canary.json, allowPrivateAddresses: true }
  - id: hooked
    url: http://127.0.0.1:9/
    deploy: { kind: webhook, url: "https://hooks.example.invalid/deploy/\${FP_DEPLOY_HOOK}",
              headers: { Authorization: "Bearer \${FP_DEPLOY_HEADER}" } }
notifiers:
  - { id: ops, kind: slack, url: "https://hooks.slack.com/services/\${FP_SLACK}" }
  - { id: hook, kind: webhook, url: "https://alerts.example.invalid/hook?token=\${FP_WEBHOOK_TOKEN}", secret: \${FP_WEBHOOK_HMAC} }
  - { id: pager, kind: pagerduty, routingKey: \${FP_PD_KEY} }
  - { id: mail, kind: email, smtp: "smtp://alerts:\${FP_SMTP_PASS}@smtp.example.invalid:587", from: fp@example.com, to: [ops@example.com] }
`;

const KINDS = ['status', 'latency', 'freshness', 'age'];

function publicRoutes(sites: string[], assets: string[]): string[] {
  const perSite = sites.flatMap((id) => [
    `/sites/${id}`,
    `/sites/${id}/bar.svg`,
    ...KINDS.flatMap((k) => [`/badge/${id}/${k}.svg`, `/badge/${id}/${k}.json`]),
    `/api/v1/sites/${id}`,
    `/api/v1/sites/${id}/canaries`,
    `/api/v1/sites/${id}/observations`,
  ]);
  return [
    '/',
    ...perSite,
    '/badge/nope/status.svg',
    '/sites/nope',
    '/api/v2/summary.json',
    '/api/v2/status.json',
    '/api/v2/components.json',
    '/api/v2/incidents.json',
    '/api/v2/incidents/unresolved.json',
    '/feed.atom',
    '/api/v1/sites',
    '/api/v1/incidents',
    '/api/v1/monitor',
    '/healthz',
    '/readyz',
    '/metrics',
    '/no/such/route',
    ...assets,
  ];
}

let dir: string | undefined;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-secrets-'));
  await writeFile(join(dir, 'freshprobe.yaml'), CONFIG);
  serve = await startServe(['--config', 'freshprobe.yaml'], { cwd: dir, env: SECRETS });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitForFailedDeploys(url: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  for (const id of ['docs', 'blog', 'hooked']) {
    for (;;) {
      const body = (await (await fetch(`${url}/api/v1/sites/${id}/canaries`)).json()) as {
        canaries: Array<{ state: string }>;
      };
      if (body.canaries.some((c) => c.state === 'deploy_failed')) break;
      if (Date.now() > deadline) throw new Error(`no failed deploy for ${id}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('secrets', () => {
  it('appear in no public page, JSON, badge, feed, asset or error', async () => {
    const url = serve!.url;
    await waitForFailedDeploys(url);
    const index = await (await fetch(`${url}/`)).text();
    const assets = [...index.matchAll(/\/assets\/[\w.-]+/g)].map((m) => m[0]);
    const needles = Object.values(SECRETS).flatMap((s) => [s, encodeURIComponent(s)]);
    const leaks: string[] = [];
    for (const path of publicRoutes(['docs', 'blog', 'hooked'], assets)) {
      const res = await fetch(`${url}${path}`);
      const text = `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await res.text()}`;
      for (const needle of needles) if (text.includes(needle)) leaks.push(`${path}: ${needle}`);
    }
    expect(leaks).toEqual([]);
    // The failed deploys are on the site page (with their redacted messages), so the search was real.
    const page = await (await fetch(`${url}/sites/docs`)).text();
    expect(page).toContain('Deploy failed');
  }, 90_000);
});
