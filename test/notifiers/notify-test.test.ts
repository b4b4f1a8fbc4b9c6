/**
 * `freshprobe notify-test <notifier>` against a local receiver: the command loads the config,
 * builds the notifier from the kind table, sends a `test` message about a configured site and
 * exits 0 when accepted, 1 when not (reason printed, secrets redacted).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/node.js';
import { BIN } from '../helpers/serve-process.js';
import { type Receiver, startReceiver } from './helpers.js';

let rx: Receiver;
let dir: string;
let config: string;

beforeAll(async () => {
  rx = await startReceiver({ status: 204 });
  dir = mkdtempSync(join(tmpdir(), 'freshprobe-notify-test-'));
  config = join(dir, 'freshprobe.yaml');
  writeFileSync(
    config,
    `server: { publicUrl: "https://status.example.com" }
sites:
  - { id: blog, url: "https://blog.example.com/", deploy: { kind: local-dir, dir: public } }
  - id: docs
    name: Product docs
    url: https://docs.example.com/
    deploy: { kind: local-dir, dir: public }
    runbook: https://wiki.example.com/runbooks/pages
    notify: [hook]
notifiers:
  - { id: hook, kind: webhook, url: "${rx.base}/hook/tok-123456789", secret: s3cret-hmac, allowPrivateAddresses: true }
  - { id: chat, kind: slack, url: "${rx.base}/services/T0/B0/SlackToken12345", allowPrivateAddresses: true }
  - { id: inner, kind: webhook, url: "${rx.base}/hook/private" }
`,
  );
});
afterAll(async () => {
  await rx.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  const text = { out: '', err: '' };
  const sink = (key: 'out' | 'err') =>
    new Writable({
      write(chunk, _encoding, done) {
        text[key] += String(chunk);
        done();
      },
    });
  return { io: { out: sink('out'), err: sink('err') }, text };
}

describe('freshprobe notify-test', () => {
  it('sends a test message about the site that uses the notifier and exits 0', async () => {
    const { io, text } = capture();
    const code = await main(['notify-test', 'hook', '--config', config], io);
    expect(code, text.err).toBe(0);
    expect(text.out).toBe('hook (webhook): test message accepted, about site docs\n');
    const req = rx.requests.at(-1)!;
    expect(req.url).toBe('/hook/tok-123456789');
    expect(req.headers['x-freshprobe-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(req.json).toMatchObject({
      version: 1,
      event: 'test',
      kind: 'test',
      site: { id: 'docs', name: 'Product docs', url: 'https://docs.example.com/' },
      siteUrl: 'https://status.example.com/sites/docs',
      runbook: 'https://wiki.example.com/runbooks/pages',
    });
  });

  it('takes a site id as the second argument', async () => {
    const { io } = capture();
    expect(await main(['notify-test', 'chat', 'blog', '--config', config], io)).toBe(0);
    const blocks = JSON.stringify(rx.requests.at(-1)!.json);
    expect(blocks).toContain('blog.example.com');
    expect(blocks).toContain('TEST');
  });

  it('exits 1 with the reason when the service refuses, without the webhook token', async () => {
    rx.replies.push({ status: 404, body: 'no_service for /services/T0/B0/SlackToken12345' });
    const { io, text } = capture();
    expect(await main(['notify-test', 'chat', '--config', config], io)).toBe(1);
    expect(text.err).toMatch(
      /^chat \(slack\): not sent: slack "chat": 127\.0\.0\.1:\d+ answered 404/,
    );
    expect(text.err).toContain('no_service');
    expect(text.err).not.toContain('SlackToken12345');
  });

  it('refuses a private destination as serve would, without sending', async () => {
    const before = rx.requests.length;
    const { io, text } = capture();
    expect(await main(['notify-test', 'inner', '--config', config], io)).toBe(1);
    expect(text.err).toMatch(/^inner \(webhook\): not sent: .*refusing .*allowPrivateAddresses/);
    expect(text.err).not.toContain('temporary');
    expect(rx.requests).toHaveLength(before);
  });

  it('an unknown notifier is a usage error listing the configured ones', async () => {
    const { io, text } = capture();
    expect(await main(['notify-test', 'pager', '--config', config], io)).toBe(2);
    expect(text.err).toContain('no notifier "pager"');
    expect(text.err).toContain('(configured: hook, chat, inner)');
  });

  it('runs from the real CLI entry point', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [BIN, 'notify-test', 'hook', '--config', config],
      {
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('test message accepted');
  });
});
