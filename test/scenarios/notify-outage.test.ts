/**
 * Acceptance (issue 5): the alert receiver is down for 2 minutes, `serve` is
 * killed with -9 in the middle, then the receiver comes back: every
 * notification is delivered once and in order; none is lost.
 * FRESHPROBE_OUTAGE_MS shortens the outage for local runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { type SwitchableSite, startSwitchableSite } from '../helpers/switchable-site.js';

const OUTAGE_MS = Number(process.env.FRESHPROBE_OUTAGE_MS ?? 120_000);
const FLAPS = 3;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function config(dir: string, site: SwitchableSite, receiver: Receiver): Promise<string> {
  const root = join(dir, 'site');
  await mkdir(root);
  const file = join(dir, 'freshprobe.yaml');
  await writeFile(
    file,
    `storage: { sqlite: ${join(dir, 'db.sqlite')} }
sites:
  - id: flappy
    url: ${site.url}
    deploy: { kind: local-dir, dir: ${root} }
    probe: { vantages: [edge], interval: 1s, timeout: 1s }
    schedule: "0 0 1 1 *"
    timeout: 30s
    slo: { threshold: 10s }
    alerts: { failureThreshold: 1, recoveryThreshold: 1 }
    notify: [hook]
notifiers:
  - { id: hook, kind: webhook, url: "${receiver.url}/hook", allowPrivateAddresses: true }
`,
  );
  return file;
}

describe('notification delivery across an outage and a crash', () => {
  it('delivers every notification once, in order', async () => {
    const started = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'freshprobe-outage-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const site = await startSwitchableSite(join(dir, 'site'));
    cleanups.push(() => site.close());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    receiver.setDown(true);
    const file = await config(dir, site, receiver);
    let serve: ServeProcess = await startServe(['--config', file], { cwd: dir });
    cleanups.push(() => serve.stop());
    await sleep(4_000); // the startup canary becomes visible
    for (let i = 0; i < FLAPS; i++) {
      site.setMissing(true);
      await sleep(3_000);
      site.setMissing(false);
      await sleep(3_000);
      if (i === 1) {
        await serve.kill9();
        serve = await startServe(['--config', file], { cwd: dir });
      }
    }
    await sleep(Math.max(0, started + OUTAGE_MS - Date.now()));
    receiver.setDown(false);
    const deadline = Date.now() + 90_000;
    while (receiver.received.length < 2 * FLAPS && Date.now() < deadline) await sleep(500);
    await sleep(3_000); // anything extra would arrive now

    const got = receiver.received.map((r) => ({
      event: r.body.event as string,
      id: r.body.incidentId as string,
      at: r.body.at as number,
    }));
    expect(got.map((g) => g.event)).toEqual(
      Array.from({ length: FLAPS }, () => ['firing', 'resolved']).flat(),
    );
    const ids = got.map((g) => `${g.id}:${g.event}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < got.length; i++) expect(got[i]!.at).toBeGreaterThanOrEqual(got[i - 1]!.at);
    for (let i = 0; i < got.length; i += 2) expect(got[i]!.id).toBe(got[i + 1]!.id);
  }, 300_000);
});
