/**
 * The generic webhook against a local receiver: the body is the AlertMessage plus version and
 * event, and a configured secret signs `${timestamp}.${body}`; the receiver recomputes the HMAC
 * with node:crypto, as a user's receiver would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookNotifier, WEBHOOK_PAYLOAD_VERSION } from '../../src/notifiers/webhook.js';
import { AT, now, type Receiver, sampleMessage, signal, startReceiver } from './helpers.js';

const SECRET = 'whsec-test-0123456789';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver({ status: 204 });
});
afterAll(() => rx.close());

/** What a receiver does: recompute, compare in constant time, refuse old timestamps. */
function verify(raw: string, timestamp: string, signature: string, nowSec: number): boolean {
  if (Math.abs(nowSec - Number(timestamp)) > 300) return false;
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${raw}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

describe('webhook notifier', () => {
  it('posts the AlertMessage with version and event, signed over timestamp and raw body', async () => {
    const message = sampleMessage();
    const n = createWebhookNotifier(
      { id: 'hook', url: `${rx.base}/hooks/in`, secret: SECRET },
      { fetch, now },
    );
    await n.send(message, signal());
    const req = rx.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/in');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({ version: WEBHOOK_PAYLOAD_VERSION, event: 'firing', ...message });
    expect(Object.keys(req.json).slice(0, 2)).toEqual(['version', 'event']);
    expect(req.headers['x-freshprobe-event']).toBe('firing');

    const timestamp = req.headers['x-freshprobe-timestamp'] as string;
    const signature = req.headers['x-freshprobe-signature'] as string;
    expect(timestamp).toBe(String(Math.floor(AT / 1000)));
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(req.raw, timestamp, signature, Math.floor(AT / 1000))).toBe(true);
  });

  it('a replayed body with a new timestamp or a changed body fails verification', async () => {
    const n = createWebhookNotifier(
      { id: 'hook', url: `${rx.base}/in`, secret: SECRET },
      { fetch, now },
    );
    await n.send(sampleMessage({ kind: 'resolved' }), signal());
    const req = rx.requests.at(-1)!;
    const timestamp = req.headers['x-freshprobe-timestamp'] as string;
    const signature = req.headers['x-freshprobe-signature'] as string;
    const later = String(Number(timestamp) + 3600);
    expect(verify(req.raw, later, signature, Number(later))).toBe(false);
    expect(
      verify(req.raw.replace('resolved', 'firing'), timestamp, signature, Number(timestamp)),
    ).toBe(false);
    expect(verify(req.raw, timestamp, signature, Number(timestamp) + 3600)).toBe(false);
    expect(req.json.event).toBe('resolved');
  });

  it('sends no signature headers without a secret', async () => {
    const n = createWebhookNotifier({ id: 'hook', url: `${rx.base}/plain` }, { fetch, now });
    await n.send(sampleMessage({ kind: 'test' }), signal());
    const req = rx.requests.at(-1)!;
    expect(req.headers['x-freshprobe-signature']).toBeUndefined();
    expect(req.headers['x-freshprobe-timestamp']).toBeUndefined();
    expect(req.json).toMatchObject({ version: 1, event: 'test', kind: 'test' });
  });

  it('every optional AlertMessage field absent still yields a valid body', async () => {
    const m = sampleMessage();
    delete m.stalenessMs;
    delete m.latency;
    delete m.siteUrl;
    delete m.runbook;
    const n = createWebhookNotifier({ id: 'hook', url: `${rx.base}/min` }, { fetch, now });
    await n.send(m, signal());
    const body = rx.requests.at(-1)!.json;
    for (const key of [
      'incidentId',
      'dedupKey',
      'site',
      'state',
      'cause',
      'title',
      'summary',
      'since',
      'vantages',
      'at',
    ])
      expect(body).toHaveProperty(key);
    expect(typeof body.since).toBe('number');
  });
});
