/**
 * `kind: slack`: a Slack incoming webhook (https://hooks.slack.com/services/...). The body is
 * `{ text, blocks }`: `text` is the notification fallback, the blocks are a header, the summary,
 * the facts as section fields, and a context line with the links. Block Kit has no colour (only
 * legacy attachments do), so the state is said with an emoji in the header. Incoming webhooks
 * of Slack apps ignore `channel`/`username` overrides, so there are none. Limits followed:
 * header text 150, section text 3000, section fields 10 of 2000 each, context elements 10.
 */
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { type AlertWords, alertWords, type Link, truncate } from './format.js';
import { type HttpNotifierDeps, postJson } from './http-send.js';

export interface SlackNotifierConfig {
  id: string;
  /** The incoming webhook URL; it is the credential, so it never appears in errors. */
  url: string;
}

const EMOJI: Record<AlertWords['status'], string> = {
  FIRING: ':red_circle:',
  RESOLVED: ':large_green_circle:',
  TEST: ':large_blue_circle:',
};

/** Slack reads `&`, `<`, `>` as markup (`<!channel>` pings everyone): escape text we did not write. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackLink(link: Link): string {
  // `|` ends the URL part of `<url|text>`; a valid URL may still contain one.
  return `<${link.url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${slackEscape(link.text)}>`;
}

/** Escaped text cut to `max`, never ending in half an entity like `&am…`. */
function fitText(text: string, max: number): string {
  const cut = truncate(text, max);
  return cut === text ? cut : cut.replace(/&[a-z]*…$/, '…');
}

const mrkdwn = (text: string, max: number) => ({ type: 'mrkdwn', text: fitText(text, max) });

/** The Slack incoming-webhook JSON for `message`. */
export function slackPayload(message: AlertMessage): { text: string; blocks: unknown[] } {
  const w = alertWords(message);
  const fields = w.facts.map((f) =>
    mrkdwn(`*${slackEscape(f.label)}*\n${slackEscape(f.value)}`, 2000),
  );
  const context = [
    ...w.links.map((l) => mrkdwn(slackLink(l), 2000)),
    ...w.missing.map((note) => mrkdwn(`_${slackEscape(note)}_`, 2000)),
    mrkdwn(`incident \`${slackEscape(message.incidentId)}\``, 2000),
  ].slice(0, 10);
  return {
    text: fitText(
      slackEscape(`${w.status === 'RESOLVED' ? 'Resolved' : w.status}: ${w.titleLine}`),
      3000,
    ),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: fitText(slackEscape(w.headline), 150), emoji: true },
      },
      { type: 'section', text: mrkdwn(`${EMOJI[w.status]} ${slackEscape(w.summary)}`, 3000) },
      { type: 'section', fields: fields.slice(0, 10) },
      { type: 'context', elements: context },
    ],
  };
}

/** Posts to one Slack incoming webhook. Slack answers 200 `ok`, 4xx with a reason word. */
export function createSlackNotifier(cfg: SlackNotifierConfig, deps: HttpNotifierDeps): Notifier {
  return {
    id: cfg.id,
    kind: 'slack',
    async send(message, signal) {
      const body = JSON.stringify(slackPayload(message));
      await postJson(deps, { label: `slack "${cfg.id}"`, url: cfg.url, body, signal });
    },
  };
}
