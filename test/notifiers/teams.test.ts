/**
 * Teams Workflows payloads: a `message` with one Adaptive Card attachment, checked against the
 * documented structure by a local receiver that answers 202 as Workflows do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  ADAPTIVE_CARD_SCHEMA,
  createTeamsNotifier,
} from '../../src/notifiers/teams.js';
import { now, type Receiver, sampleMessage, signal, startReceiver } from './helpers.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver({ status: 202 });
});
afterAll(() => rx.close());

interface Card {
  $schema: string;
  type: string;
  version: string;
  body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
  actions: { type: string; title: string; url: string }[];
}

async function card(kind: 'firing' | 'resolved' = 'firing'): Promise<Card> {
  const url = `${rx.base}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t`;
  const n = createTeamsNotifier({ id: 'tm', url }, { fetch, now });
  await n.send(sampleMessage({ kind }), signal());
  const req = rx.requests.at(-1)!;
  expect(req.url).toContain('sig=s3cr3t');
  const body = req.json as { type: string; attachments: Record<string, unknown>[] };
  expect(Object.keys(body).sort()).toEqual(['attachments', 'type']);
  expect(body.type).toBe('message');
  expect(body.attachments).toHaveLength(1);
  const att = body.attachments[0]!;
  expect(Object.keys(att).sort()).toEqual(['content', 'contentType', 'contentUrl']);
  expect(att.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
  expect(att.contentUrl).toBeNull();
  const content = att.content as Card;
  expect(content.$schema).toBe(ADAPTIVE_CARD_SCHEMA);
  expect(content.type).toBe('AdaptiveCard');
  expect(content.version).toBe('1.4');
  for (const el of content.body) expect(['TextBlock', 'FactSet']).toContain(el.type);
  for (const a of content.actions) {
    expect(Object.keys(a).sort()).toEqual(['title', 'type', 'url']);
    expect(a.type).toBe('Action.OpenUrl');
  }
  return content;
}

describe('teams notifier', () => {
  it('an Adaptive Card with the headline, every fact and link buttons', async () => {
    const c = await card();
    expect(c.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12',
      color: 'Attention',
      wrap: true,
    });
    const facts = c.body.find((b) => b.type === 'FactSet')!.facts!;
    expect(facts.map((f) => f.title)).toEqual([
      'Site',
      'State',
      'Since',
      'How stale',
      'Vantages',
      'Latency',
    ]);
    expect(facts.find((f) => f.title === 'Vantages')!.value).toBe('node:10.0.0.4');
    expect(c.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Site page', url: 'https://status.example.com/sites/docs' },
      { type: 'Action.OpenUrl', title: 'Runbook', url: 'https://wiki.example.com/runbooks/pages' },
    ]);
  });

  it('resolved says so in green', async () => {
    const c = await card('resolved');
    expect(c.body[0]).toMatchObject({ color: 'Good' });
    expect(c.body[0]!.text).toMatch(/^RESOLVED: /);
    expect(c.body[1]!.text).toMatch(/^Resolved\./);
  });
});
