/**
 * Slack incoming webhook payloads, checked strictly against Block Kit's documented shape and
 * limits by a local receiver: `{ text, blocks }`, header (plain_text, 150), section (mrkdwn,
 * 3000; fields 10 of 2000), context (10 elements).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../src/core/model.js';
import { createSlackNotifier } from '../../src/notifiers/slack.js';
import { now, type Receiver, sampleMessage, signal, startReceiver } from './helpers.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver({ status: 200, body: 'ok' });
});
afterAll(() => rx.close());

interface TextObject {
  type: string;
  text: string;
  emoji?: boolean;
}
type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] };

function textObject(t: TextObject, type: string, max: number): string {
  expect(t.type).toBe(type);
  expect(typeof t.text).toBe('string');
  expect(t.text.length).toBeGreaterThan(0);
  expect(t.text.length).toBeLessThanOrEqual(max);
  return t.text;
}

/** Validates the documented shape and returns every text shown, joined. */
function checkSlack(body: Record<string, unknown>): { header: string; all: string } {
  expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
  expect(typeof body.text).toBe('string');
  const blocks = body.blocks as Block[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  const texts: string[] = [body.text as string];
  let header = '';
  for (const block of blocks) {
    if (block.type === 'header') {
      expect(Object.keys(block).sort()).toEqual(['text', 'type']);
      header = textObject(block.text, 'plain_text', 150);
      texts.push(header);
    } else if (block.type === 'section') {
      if (block.text) texts.push(textObject(block.text, 'mrkdwn', 3000));
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const f of block.fields) texts.push(textObject(f, 'mrkdwn', 2000));
      }
      expect(block.text ?? block.fields).toBeDefined();
    } else if (block.type === 'context') {
      expect(block.elements.length).toBeGreaterThan(0);
      expect(block.elements.length).toBeLessThanOrEqual(10);
      for (const e of block.elements) texts.push(textObject(e, 'mrkdwn', 3000));
    } else {
      throw new Error(`unexpected block ${JSON.stringify(block)}`);
    }
  }
  expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
  return { header, all: texts.join('\n') };
}

async function sent(message: AlertMessage) {
  const n = createSlackNotifier({ id: 'chat', url: `${rx.base}/services/T0/B0/x` }, { fetch, now });
  await n.send(message, signal());
  const req = rx.requests.at(-1)!;
  expect(req.headers['content-type']).toBe('application/json');
  return checkSlack(req.json);
}

describe('slack notifier', () => {
  it('carries site, state, since, staleness, vantages, latency and both links', async () => {
    const { header, all } = await sent(sampleMessage());
    expect(header).toBe('FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12');
    expect(all).toContain('Product docs');
    expect(all).toContain('stale');
    expect(all).toContain('2026-05-03 09:12:00 UTC (18m ago)');
    expect(all).toContain('12m 5s older than the newest deploy');
    expect(all).toContain('node:10.0.0.4');
    expect(all).toContain('7m 12s (between 6m 58s and 7m 30s) against the SLO threshold 5m');
    expect(all).toContain('<https://status.example.com/sites/docs|Site page>');
    expect(all).toContain('<https://wiki.example.com/runbooks/pages|Runbook>');
  });

  it('says resolved on resolve', async () => {
    const { header, all } = await sent(sampleMessage({ kind: 'resolved' }));
    expect(header.startsWith('RESOLVED: ')).toBe(true);
    expect(all).toMatch(/^Resolved: /);
    expect(all).toContain(':large_green_circle: Resolved.');
  });

  it('escapes markup in text it did not write and keeps every limit on huge input', async () => {
    const { header, all } = await sent(
      sampleMessage({
        title: `<!channel> ${'t'.repeat(500)}`,
        summary: `<!here> & ${'s'.repeat(5000)}`,
        vantages: Array.from({ length: 400 }, (_, i) => `node:10.0.${i >> 8}.${i & 255}`),
      }),
    );
    expect(header.length).toBe(150);
    expect(header.endsWith('…')).toBe(true);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).toContain('&lt;!here&gt; &amp; sss');
  });

  it('says what is missing when there is no status page or runbook link', async () => {
    const m = sampleMessage();
    delete m.siteUrl;
    delete m.runbook;
    const { all } = await sent(m);
    expect(all).toContain('<https://docs.example.com/|Site page>');
    expect(all).toContain('no runbook for this site: set sites[].runbook');
    expect(all).toContain('no status page link: set server.publicUrl');
  });
});
