/**
 * PagerDuty Events API v2 against a local receiver that checks the documented event strictly
 * and answers 202 as PagerDuty does: trigger, a repeat on the same dedup_key, then resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPagerdutyNotifier,
  dedupKeyOf,
  PAGERDUTY_EVENTS_URL,
} from '../../src/notifiers/pagerduty.js';
import { now, type Receiver, sampleMessage, signal, startReceiver } from './helpers.js';

const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const ACCEPTED = {
  status: 202,
  headers: { 'content-type': 'application/json' },
  body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
};

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver(ACCEPTED);
});
afterAll(() => rx.close());

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

function checkTrigger(event: Record<string, unknown>): Record<string, unknown> {
  expect(Object.keys(event).sort()).toEqual(
    ['client', 'client_url', 'dedup_key', 'event_action', 'links', 'payload', 'routing_key'].sort(),
  );
  expect(event.routing_key).toBe(ROUTING_KEY);
  expect(event.event_action).toBe('trigger');
  expect(typeof event.dedup_key).toBe('string');
  expect((event.dedup_key as string).length).toBeLessThanOrEqual(255);
  const p = event.payload as Record<string, unknown>;
  expect(Object.keys(p).sort()).toEqual(
    [
      'class',
      'component',
      'custom_details',
      'group',
      'severity',
      'source',
      'summary',
      'timestamp',
    ].sort(),
  );
  for (const key of ['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class'])
    expect(typeof p[key], key).toBe('string');
  expect((p.summary as string).length).toBeGreaterThan(0);
  expect((p.summary as string).length).toBeLessThanOrEqual(1024);
  expect(SEVERITIES).toContain(p.severity);
  expect(new Date(p.timestamp as string).toISOString()).toBe(p.timestamp);
  expect(typeof p.custom_details).toBe('object');
  for (const link of event.links as Record<string, unknown>[]) {
    expect(Object.keys(link).sort()).toEqual(['href', 'text']);
    expect(() => new URL(link.href as string)).not.toThrow();
  }
  return p;
}

describe('pagerduty notifier', () => {
  it('triggers, repeats on the same dedup_key, then resolves with only the three fields', async () => {
    const n = createPagerdutyNotifier(
      { id: 'pd', routingKey: ROUTING_KEY, url: `${rx.base}/v2/enqueue` },
      { fetch, now },
    );
    const first = rx.requests.length;
    await n.send(sampleMessage(), signal());
    await n.send(sampleMessage({ kind: 'repeat', at: sampleMessage().at + 3_600_000 }), signal());
    await n.send(sampleMessage({ kind: 'resolved' }), signal());
    const [trigger, repeat, resolve] = rx.requests.slice(first);
    for (const r of [trigger, repeat, resolve]) {
      expect(r!.method).toBe('POST');
      expect(r!.url).toBe('/v2/enqueue');
      expect(r!.headers['content-type']).toBe('application/json');
    }
    const p = checkTrigger(trigger!.json);
    expect(p).toMatchObject({
      summary: 'FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12',
      source: 'docs.example.com',
      severity: 'error',
      component: 'docs',
      class: 'stale',
      timestamp: '2026-05-03T09:30:00.000Z',
    });
    expect(p.custom_details).toMatchObject({
      how_stale: 'serves content 12m 5s older than the newest deploy',
      affected_vantages: ['node:10.0.0.4'],
    });
    expect(trigger!.json.links).toEqual([
      { href: 'https://status.example.com/sites/docs', text: 'Site page' },
      { href: 'https://wiki.example.com/runbooks/pages', text: 'Runbook' },
    ]);
    checkTrigger(repeat!.json);
    expect(repeat!.json.dedup_key).toBe(trigger!.json.dedup_key);
    expect(resolve!.json).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger!.json.dedup_key,
    });
  });

  it('outages page as critical, tests only inform', async () => {
    const n = createPagerdutyNotifier(
      { id: 'pd', routingKey: ROUTING_KEY, url: `${rx.base}/v2/enqueue` },
      { fetch, now },
    );
    await n.send(sampleMessage({ state: 'missing', cause: 'missing' }), signal());
    expect(checkTrigger(rx.requests.at(-1)!.json).severity).toBe('critical');
    await n.send(sampleMessage({ kind: 'test' }), signal());
    expect(checkTrigger(rx.requests.at(-1)!.json).severity).toBe('info');
  });

  it('keeps dedup keys within 255 characters, stable and distinct', async () => {
    const long = `x`.repeat(300);
    const a = await dedupKeyOf(`${long}a`);
    const b = await dedupKeyOf(`${long}b`);
    expect(a.length).toBeLessThanOrEqual(255);
    expect(a).not.toBe(b);
    expect(await dedupKeyOf(`${long}a`)).toBe(a);
    expect(await dedupKeyOf('short')).toBe('short');
  });

  it('defaults to the documented endpoint', () => {
    expect(PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com/v2/enqueue');
  });
});
