/**
 * How every HTTP notifier classifies failure, against a real local receiver: 429 and 5xx are
 * retryable (Retry-After kept), other 4xx are not (with the service's reason), a refused
 * connection and a timeout are retryable, redirects are not followed. No error message ever
 * contains a credential: the webhook URL's token, a `sig` query, a routing key, an HMAC secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/core/errors.js';
import type { Notifier } from '../../src/core/ports.js';
import { createDiscordNotifier } from '../../src/notifiers/discord.js';
import { type HttpNotifierDeps, NotifySendError } from '../../src/notifiers/http-send.js';
import { createPagerdutyNotifier } from '../../src/notifiers/pagerduty.js';
import { createSlackNotifier } from '../../src/notifiers/slack.js';
import { createTeamsNotifier } from '../../src/notifiers/teams.js';
import { createWebhookNotifier } from '../../src/notifiers/webhook.js';
import {
  AT,
  closedPort,
  now,
  type Receiver,
  sampleMessage,
  signal,
  startReceiver,
} from './helpers.js';

const TOKEN = 'xoxb-Very-Secret-Token-4242';
const SIG = 'teamsSigSecret0123456789';
const ROUTING_KEY = 'R0UT1NGKEY5ECRET0000000000000042';
const HMAC_SECRET = 'hmac-shared-secret-value';
const SECRETS = [TOKEN, SIG, ROUTING_KEY, HMAC_SECRET];

type Make = (base: string, deps: HttpNotifierDeps) => Notifier;

/** Each notifier, and the credentials it holds (a service may echo them back). */
const KINDS: [string, Make, string[]][] = [
  [
    'webhook',
    (b, d) =>
      createWebhookNotifier({ id: 'hook', url: `${b}/in/${TOKEN}`, secret: HMAC_SECRET }, d),
    [TOKEN, HMAC_SECRET],
  ],
  [
    'slack',
    (b, d) => createSlackNotifier({ id: 'chat', url: `${b}/services/T0/B0/${TOKEN}` }, d),
    [TOKEN],
  ],
  [
    'discord',
    (b, d) => createDiscordNotifier({ id: 'dc', url: `${b}/api/webhooks/123/${TOKEN}` }, d),
    [TOKEN],
  ],
  [
    'teams',
    (b, d) =>
      createTeamsNotifier({ id: 'tm', url: `${b}/workflows/run?api-version=1&sig=${SIG}` }, d),
    [SIG],
  ],
  [
    'pagerduty',
    (b, d) =>
      createPagerdutyNotifier({ id: 'pd', routingKey: ROUTING_KEY, url: `${b}/v2/enqueue` }, d),
    [ROUTING_KEY],
  ],
];

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

async function failure(n: Notifier): Promise<NotifySendError> {
  const error = await n.send(sampleMessage(), signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotifySendError);
  expect(error).toBeInstanceOf(NotifyError);
  const e = error as NotifySendError;
  for (const secret of SECRETS) {
    expect(e.message).not.toContain(secret);
    expect(String(e.stack)).not.toContain(secret);
  }
  expect(e.cause).toBeUndefined();
  return e;
}

describe.each(KINDS)('%s', (_kind, make, own) => {
  const deps = (): HttpNotifierDeps => ({ fetch, now, timeoutMs: 5_000 });

  it('429 with Retry-After seconds is retryable and keeps the delay', async () => {
    rx.replies.push({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' });
    const e = await failure(make(rx.base, deps()));
    expect(e).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
  });

  it('503 with a Retry-After date is retryable, the delay measured from now', async () => {
    const date = new Date(AT + 30_000).toUTCString();
    rx.replies.push({ status: 503, headers: { 'retry-after': date } });
    const e = await failure(make(rx.base, deps()));
    expect(e).toMatchObject({ retryable: true, status: 503, retryAfterMs: 30_000 });
  });

  it('500 is retryable', async () => {
    rx.replies.push({ status: 500, body: 'internal error' });
    const e = await failure(make(rx.base, deps()));
    expect(e).toMatchObject({ retryable: true, status: 500 });
    expect(e.retryAfterMs).toBeUndefined();
  });

  it('400 is not retryable and carries the tail of the body, never the URL or keys', async () => {
    // A service that echoes the request URL and key back: the echo must be redacted.
    const echo = `for ${own.map((x) => `${x} ${encodeURIComponent(x)}`).join(' and ')}`;
    const body = `${'x'.repeat(2_000)} ${echo} invalid_payload: reason-at-the-end`;
    rx.replies.push({ status: 400, body });
    const e = await failure(make(rx.base, deps()));
    expect(e).toMatchObject({ retryable: false, status: 400 });
    expect(e.message).toContain('answered 400');
    expect(e.message).toContain('invalid_payload: reason-at-the-end');
    expect(e.message).toContain('[redacted]');
    expect(e.message.length).toBeLessThan(500);
  });

  it('a redirect is not followed and not retried', async () => {
    const before = rx.requests.length;
    rx.replies.push({ status: 302, headers: { location: `${rx.base}/elsewhere` } });
    const e = await failure(make(rx.base, deps()));
    expect(e).toMatchObject({ retryable: false, status: 302 });
    expect(rx.requests.length).toBe(before + 1);
  });

  it('a refused connection is retryable', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const e = await failure(make(base, deps()));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/could not reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('no answer within the timeout is retryable', async () => {
    rx.replies.push({ status: 200, delayMs: 5_000 });
    const e = await failure(make(rx.base, { fetch, now, timeoutMs: 300 }));
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('within 300ms');
  });
});
