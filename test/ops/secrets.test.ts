/**
 * Secrets come from the environment or from files (VAR_FILE), and never show
 * up in logs, API answers, pages, metrics or error bodies, whatever happens:
 * failed deploys, failed and retried notifications, rejected reloads, wrong
 * tokens. The test proves each secret was really used (the webhook receiver
 * saw its token in the path) and then searches every byte that came out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { removeBundle, type Served, spawnServe, waitFor } from './support.js';

const SECRETS = {
  FP_ADMIN_TOKEN: 'adm-Zq8Xr2Lm5Nw3Pt7Kc1',
  FP_GIT_TOKEN: 'glpat-Hs4Jd9Fk2Lq7Wm3Xz8',
  FP_HOOK_TOKEN: 'hook-Tq6Yp1Rv8Bn4Mc2Ls5',
  FP_HMAC: 'hmac-"quoted\\back-Vw3Ek7',
};
let dir: string;
let receiver: Receiver;
let served: Served | undefined;

function config(valid: boolean): string {
  // Invalid: the bare token where a URL belongs (the problem must not echo it).
  const hook = valid ? `${receiver.url}/hook/\${FP_HOOK_TOKEN}` : `\${FP_HOOK_TOKEN}`;
  return `server: { adminToken: \${FP_ADMIN_TOKEN}, rateLimit: { enabled: false } }
storage: { sqlite: db.sqlite }
sites:
  - id: docs
    url: http://127.0.0.1:1/
    deploy: { kind: git, remote: "http://127.0.0.1:1/acme/docs.git", file: public/c.json, token: \${FP_GIT_TOKEN} }
    probe: { interval: 1s, timeout: 1s }
    notify: [hook]
notifiers:
  - { id: hook, kind: webhook, url: "${hook}", secret: \${FP_HMAC}, allowPrivateAddresses: true }
`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-secrets-'));
  receiver = await startReceiver();
  await writeFile(join(dir, 'freshprobe.yaml'), config(true));
  // The admin token comes from a file, as with Docker secrets or systemd credentials.
  await writeFile(join(dir, 'admin-token'), `${SECRETS.FP_ADMIN_TOKEN}\n`);
});

afterAll(async () => {
  served?.kill('SIGKILL');
  await served?.exited;
  await receiver?.close();
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

describe('secrets', () => {
  it('never appear in logs, answers, pages, metrics or errors', async () => {
    const { FP_ADMIN_TOKEN: _fromFile, ...env } = SECRETS;
    receiver.setDown(true); // first deliveries fail and are retried (notify.failed lines)
    served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], {
      cwd: dir,
      env: { ...env, FP_ADMIN_TOKEN_FILE: 'admin-token' },
    });
    const url = await served.listening;
    await waitFor(() => /"event":"notify.failed"/.test(served!.output()), 30_000, 'a failed send');
    receiver.setDown(false);
    await waitFor(() => receiver.received.length > 0, 30_000, 'a delivered alert');
    expect(receiver.received[0]!.path).toBe(`/hook/${SECRETS.FP_HOOK_TOKEN}`);

    const bodies: string[] = [];
    const read = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${url}${path}`, init);
      bodies.push(`${res.status} ${[...res.headers].join(' ')} ${await res.text()}`);
      return res.status;
    };
    const admin = { authorization: `Bearer ${SECRETS.FP_ADMIN_TOKEN}` };
    for (const path of ['/', '/sites/docs', '/api/v1/sites', '/api/v1/sites/docs', '/readyz'])
      await read(path);
    for (const path of ['/api/v1/sites/docs/canaries', '/api/v1/sites/docs/observations'])
      await read(path);
    for (const path of ['/api/v1/incidents', '/metrics', '/api/v1/monitor', '/feed.atom'])
      await read(path);
    expect(await read('/api/v1/admin/reload', { method: 'POST' })).toBe(401);
    const wrong = { authorization: `Bearer ${SECRETS.FP_GIT_TOKEN}` };
    expect(await read('/api/v1/admin/reload', { method: 'POST', headers: wrong })).toBe(401);
    await writeFile(join(dir, 'freshprobe.yaml'), config(false));
    expect(await read('/api/v1/admin/reload', { method: 'POST', headers: admin })).toBe(400);
    served.kill('SIGHUP');
    await waitFor(() => /"trigger":"SIGHUP"/.test(served!.output()), 10_000, 'the SIGHUP reload');
    await writeFile(join(dir, 'freshprobe.yaml'), config(true));
    expect(await read('/api/v1/admin/reload', { method: 'POST', headers: admin })).toBe(200);
    const incidents = await (await fetch(`${url}/api/v1/incidents`)).json();
    const id = (incidents as { incidents: Array<{ id: string }> }).incidents[0]?.id;
    if (id)
      await read(`/api/v1/incidents/${encodeURIComponent(id)}/notifications`, { headers: admin });
    served.kill('SIGTERM');
    await served.exited;

    const out = served.output();
    expect(out).toMatch(/"event":"deploy.failed"/);
    expect(out).toMatch(/"event":"config.rejected"/);
    for (const [name, value] of Object.entries(SECRETS)) {
      const escaped = JSON.stringify(value).slice(1, -1);
      for (const text of [out, ...bodies]) {
        expect(text.includes(value), `${name} leaked`).toBe(false);
        expect(text.includes(escaped), `${name} leaked (JSON-escaped)`).toBe(false);
      }
    }
  }, 90_000);
});
