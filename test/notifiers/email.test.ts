/**
 * The email notifier against a real SMTP server on loopback (smtp-server, AUTH required) with
 * every message parsed by mailparser: subject, recipients, bodies, threading headers, and how
 * SMTP failures are classified, with the password never in an error.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/core/ports.js';
import { createEmailNotifier, transportOptions } from '../../src/notifiers/email.node.js';
import { NotifySendError } from '../../src/notifiers/http-send.js';
import { closedPort, sampleMessage, signal } from './helpers.js';

const USER = 'alerts@example.com';
const PASS = 'p@ss:w/rd%Secret-42';
const FROM = 'freshprobe <alerts@example.com>';

interface Delivery {
  user: unknown;
  rcpt: string[];
  mail: ParsedMail;
}

let server: SMTPServer;
let port: number;
const inbox: Delivery[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    // Plain SMTP on loopback: without STARTTLS nodemailer does not try a self-signed upgrade.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASS) cb(null, { user: auth.username });
      else
        cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('busy@')) {
        cb(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      } else cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        inbox.push({ user: session.user, rcpt, mail });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function notifier(opts: { pass?: string; port?: number; to?: string[] } = {}): Notifier {
  const pass = encodeURIComponent(opts.pass ?? PASS);
  const smtp = `smtp://${encodeURIComponent(USER)}:${pass}@127.0.0.1:${opts.port ?? port}`;
  const to = opts.to ?? ['ops@example.com', 'Docs Team <docs@example.com>'];
  return createEmailNotifier({ id: 'mail', smtp, from: FROM, to }, { timeoutMs: 5_000 });
}

async function deliver(n: Notifier, message = sampleMessage()): Promise<ParsedMail> {
  const before = inbox.length;
  await n.send(message, signal());
  expect(inbox.length).toBe(before + 1);
  return inbox.at(-1)!.mail;
}

async function failure(n: Notifier): Promise<NotifySendError> {
  const error = await n.send(sampleMessage(), signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotifySendError);
  const e = error as NotifySendError;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  for (const secret of [PASS, encodeURIComponent(PASS), b64(PASS), b64(`\0${USER}\0${PASS}`)])
    expect(e.message).not.toContain(secret);
  return e;
}

describe('email notifier', () => {
  let n: Notifier;
  beforeAll(() => {
    n = notifier();
  });
  afterAll(() => n.close?.());

  it('sends a firing mail with the subject, recipients and every fact in text and HTML', async () => {
    const mail = await deliver(n);
    expect(inbox.at(-1)!.user).toBe(USER);
    expect(inbox.at(-1)!.rcpt).toEqual(['ops@example.com', 'docs@example.com']);
    expect(mail.subject).toBe(
      '[freshprobe] FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12',
    );
    const to = Array.isArray(mail.to) ? mail.to : [mail.to!];
    expect(to.flatMap((a) => a.value.map((v) => v.address))).toEqual([
      'ops@example.com',
      'docs@example.com',
    ]);
    expect(mail.from?.value[0]?.address).toBe('alerts@example.com');
    for (const needle of [
      'Product docs',
      'https://docs.example.com/',
      'Runbook: https://wiki.example.com/runbooks/pages',
      'Site page: https://status.example.com/sites/docs',
      'How stale: serves content 12m 5s older than the newest deploy',
      'Vantages: node:10.0.0.4',
      'Since: 2026-05-03 09:12:00 UTC (18m ago)',
    ])
      expect(mail.text).toContain(needle);
    expect(mail.html).toContain('<a href="https://wiki.example.com/runbooks/pages">Runbook</a>');
    expect(mail.headers.get('x-freshprobe-incident')).toBe(sampleMessage().incidentId);
    expect(mail.messageId).toMatch(/^<freshprobe\.[0-9a-f]{32}@example\.com>$/);
    expect(mail.inReplyTo).toBeUndefined();
  });

  it('threads a repeat and the resolve under the firing mail', async () => {
    const firing = await deliver(n);
    const repeat = await deliver(
      n,
      sampleMessage({ kind: 'repeat', at: sampleMessage().at + 60_000 }),
    );
    const resolved = await deliver(n, sampleMessage({ kind: 'resolved' }));
    expect(resolved.subject).toBe(
      '[freshprobe] RESOLVED: Product docs: Stale: 1 of 5 nodes serve content from 09:12',
    );
    expect(resolved.text).toContain('Resolved.');
    for (const reply of [repeat, resolved]) {
      expect(reply.messageId).not.toBe(firing.messageId);
      expect(reply.inReplyTo).toBe(firing.messageId);
      expect([reply.references].flat()).toEqual([firing.messageId]);
    }
    expect(repeat.subject).toMatch(/^\[freshprobe\] FIRING: /);
  });

  it('escapes HTML in text it did not write', async () => {
    const mail = await deliver(n, sampleMessage({ summary: '<script>alert("x")</script> & more' }));
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;');
    expect(mail.text).toContain('<script>alert("x")</script> & more');
  });

  it('a wrong password is not retryable, and the password is never in the message', async () => {
    const e = await failure(notifier({ pass: 'wrong-Secret-password' }));
    expect(e).toMatchObject({ retryable: false, status: 535 });
    expect(e.message).toContain('127.0.0.1:');
    expect(e.message).not.toContain('wrong-Secret-password');
  });

  it('a 4xx reply (try later) is retryable', async () => {
    const e = await failure(notifier({ to: ['busy@example.com'] }));
    expect(e).toMatchObject({ retryable: true, status: 451 });
  });

  it('a refused connection is retryable', async () => {
    const e = await failure(notifier({ port: await closedPort() }));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/ECONNREFUSED|connect/i);
  });

  it('demands STARTTLS before logging in to a host that is not loopback', () => {
    const opts = (smtp: string) =>
      transportOptions({ id: 'm', smtp, from: FROM, to: ['ops@example.com'] }, {});
    expect(opts('smtp://u:p%40ss@mail.example.com')).toMatchObject({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      auth: { user: 'u', pass: 'p@ss' },
    });
    expect(opts('smtps://u:p@mail.example.com')).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(opts('smtp://mail.example.com:25')).toMatchObject({ port: 25, requireTLS: false });
    expect(opts('smtp://u:p@[::1]:2525')).toMatchObject({ host: '::1', requireTLS: false });
  });
});
