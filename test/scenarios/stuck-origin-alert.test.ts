/**
 * Acceptance (issue 5): a stuck origin. The alert fires within the SLO
 * threshold plus one probe interval, exactly once, and resolves exactly once
 * when content is fresh again; the incident timeline holds every transition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { silentLogger } from '../../src/core/deps.js';
import type { Incident } from '../../src/core/model.js';
import { type RunningServer, startServer } from '../../src/runtime/serve.node.js';
import { type FreezableOrigin, startFreezableOrigin } from '../helpers/freezable-origin.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const THRESHOLD_MS = 4_000;
const INTERVAL_MS = 1_000;
let dir: string;
let origin: FreezableOrigin;
let receiver: Receiver;
let server: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-stuck-'));
  origin = await startFreezableOrigin(dir);
  receiver = await startReceiver();
  const config = {
    storage: { sqlite: join(dir, 'db.sqlite') },
    server: { publicUrl: 'https://status.example.com' },
    sites: [
      {
        id: 'docs',
        url: origin.url,
        deploy: { kind: 'local-dir', dir },
        probe: { vantages: ['edge', 'origin'], interval: '1s', timeout: '1s' },
        schedule: '0 0 1 1 *',
        timeout: '30s',
        slo: { threshold: '4s' },
        runbook: 'https://wiki.example.com/runbooks/pages',
        notify: ['hook'],
      },
    ],
    notifiers: [
      { id: 'hook', kind: 'webhook', url: `${receiver.url}/hook`, allowPrivateAddresses: true },
    ],
  };
  server = await startServer({
    loaded: parseConfigObject(config, {}),
    log: silentLogger,
    port: 0,
    host: '127.0.0.1',
  });
});

afterAll(async () => {
  await server?.close();
  await origin?.close();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(100);
  }
}

describe('stuck origin alerting', () => {
  it('fires once within T + one interval, resolves once, keeps the timeline', async () => {
    const store = server.boot.deps.store;
    await until(
      async () => ((await store.getCanary('docs', 1))?.state === 'visible' ? true : undefined),
      15_000,
    );
    await origin.freeze();
    const second = await server.scheduler.requestCanary('docs', 'test');
    const deployed = await until(
      async () => (await store.getCanary('docs', second.seq))?.deployedAt,
      5_000,
    );

    const firing = await until(
      async () => receiver.received.find((r) => r.body.event === 'firing'),
      15_000,
    );
    const [incident] = (await store.openIncidents('docs')) as Incident[];
    expect(incident?.cause).toBe('stale');
    expect(incident!.openedAt - deployed).toBeLessThanOrEqual(THRESHOLD_MS + INTERVAL_MS + 300);
    expect(incident!.openedAt - deployed).toBeGreaterThanOrEqual(THRESHOLD_MS);
    expect(firing.body).toMatchObject({
      site: { id: 'docs' },
      state: 'stale',
      runbook: 'https://wiki.example.com/runbooks/pages',
      siteUrl: 'https://status.example.com/sites/docs',
    });

    await sleep(3_000); // still stuck: no second page
    origin.thaw();
    await until(async () => receiver.received.find((r) => r.body.event === 'resolved'), 20_000);
    await sleep(2_500); // nothing more arrives
    const events = receiver.received.map((r) => `${r.body.event}:${r.body.cause}`);
    expect(events).toEqual(['firing:stale', 'resolved:stale']);

    const done = await store.getIncident(incident!.id);
    expect(done?.state).toBe('resolved');
    const kinds = done!.timeline.map((e) => e.kind);
    for (const k of ['deploy', 'opened', 'alert_sent', 'recovered', 'resolved'])
      expect(kinds).toContain(k);
    expect(kinds.filter((k) => k === 'alert_sent')).toHaveLength(2);
  }, 60_000);
});
