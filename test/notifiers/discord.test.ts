/**
 * Discord execute-webhook payloads, checked against the documented embed structure and limits
 * by a local receiver that answers 204 as Discord does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../src/core/model.js';
import { createDiscordNotifier } from '../../src/notifiers/discord.js';
import { now, type Receiver, sampleMessage, signal, startReceiver } from './helpers.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver({ status: 204 });
});
afterAll(() => rx.close());

interface Field {
  name: string;
  value: string;
  inline: boolean;
}
interface Embed {
  title: string;
  description: string;
  url: string;
  color: number;
  fields: Field[];
  timestamp: string;
  footer: { text: string };
}

function checkEmbed(e: Embed): string {
  expect(Object.keys(e).sort()).toEqual(
    ['color', 'description', 'fields', 'footer', 'timestamp', 'title', 'url'].sort(),
  );
  expect(e.title.length).toBeGreaterThan(0);
  expect(e.title.length).toBeLessThanOrEqual(256);
  expect(e.description.length).toBeLessThanOrEqual(4096);
  expect(() => new URL(e.url)).not.toThrow();
  expect(Number.isInteger(e.color)).toBe(true);
  expect(e.color).toBeGreaterThanOrEqual(0);
  expect(e.color).toBeLessThanOrEqual(0xffffff);
  expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
  expect(e.fields.length).toBeLessThanOrEqual(25);
  for (const f of e.fields) {
    expect(Object.keys(f).sort()).toEqual(['inline', 'name', 'value']);
    expect(f.name.length).toBeGreaterThan(0);
    expect(f.name.length).toBeLessThanOrEqual(256);
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(1024);
    expect(typeof f.inline).toBe('boolean');
  }
  expect(e.footer.text.length).toBeLessThanOrEqual(2048);
  const total =
    e.title.length +
    e.description.length +
    e.footer.text.length +
    e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  expect(total).toBeLessThanOrEqual(6000);
  return [e.title, e.description, ...e.fields.map((f) => `${f.name}: ${f.value}`)].join('\n');
}

async function sent(message: AlertMessage, username?: string) {
  const url = `${rx.base}/api/webhooks/1/tok`;
  const n = createDiscordNotifier({ id: 'dc', url, ...(username && { username }) }, { fetch, now });
  await n.send(message, signal());
  const body = rx.requests.at(-1)!.json as { embeds: Embed[]; [k: string]: unknown };
  expect(body.embeds).toHaveLength(1);
  expect(body.allowed_mentions).toEqual({ parse: [] });
  return { body, embed: body.embeds[0]!, text: checkEmbed(body.embeds[0]!) };
}

describe('discord notifier', () => {
  it('one embed with every fact, the links and the message time', async () => {
    const { body, embed, text } = await sent(sampleMessage());
    expect(Object.keys(body).sort()).toEqual(['allowed_mentions', 'embeds']);
    expect(embed.title).toBe('FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12');
    expect(embed.url).toBe('https://status.example.com/sites/docs');
    expect(embed.color).toBe(0xe74c3c);
    expect(embed.timestamp).toBe('2026-05-03T09:30:00.000Z');
    expect(embed.fields.map((f) => f.name)).toEqual([
      'Site',
      'State',
      'Since',
      'How stale',
      'Vantages',
      'Latency',
    ]);
    expect(text).toContain('[Site page](https://status.example.com/sites/docs)');
    expect(text).toContain('[Runbook](https://wiki.example.com/runbooks/pages)');
    expect(text).toContain('against the SLO threshold 5m');
  });

  it('resolved is green and says so; username is passed through', async () => {
    const { body, embed } = await sent(sampleMessage({ kind: 'resolved' }), 'freshprobe');
    expect(body.username).toBe('freshprobe');
    expect(embed.color).toBe(0x2ecc71);
    expect(embed.title.startsWith('RESOLVED: ')).toBe(true);
    expect(embed.description.startsWith('Resolved.')).toBe(true);
  });

  it('keeps every limit on huge input and keeps the links', async () => {
    const { embed } = await sent(
      sampleMessage({
        title: 'T'.repeat(1_000),
        summary: `@everyone ${'s'.repeat(10_000)}`,
        vantages: Array.from({ length: 400 }, (_, i) => `node:10.0.${i >> 8}.${i & 255}`),
        site: { id: 'docs', name: 'N'.repeat(2_000), url: 'https://docs.example.com/' },
      }),
    );
    expect(embed.title.length).toBe(256);
    expect(embed.description).toContain('[Runbook](https://wiki.example.com/runbooks/pages)');
  });
});
