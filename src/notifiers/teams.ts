/**
 * `kind: teams`: a Microsoft Teams Workflows (Power Automate) webhook, the "Send webhook alerts
 * to a channel" template. The body is a message with one Adaptive Card attachment:
 * `{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive',
 * contentUrl: null, content: AdaptiveCard 1.4 }] }` with the headline, summary, a FactSet of the
 * facts and Action.OpenUrl buttons for the links. The legacy Office 365 connector MessageCard
 * format is not sent: those connectors are being retired and Workflows accept Adaptive Cards
 * only. Workflows answer 202 Accepted.
 */
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { type AlertWords, alertWords, truncate } from './format.js';
import { type HttpNotifierDeps, postJson } from './http-send.js';

export interface TeamsNotifierConfig {
  id: string;
  /** The workflow's HTTP trigger URL; its `sig` query value is the credential. */
  url: string;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** Adaptive Card text colours: Attention is red, Good green, Accent blue. */
const COLOR: Record<AlertWords['status'], string> = {
  FIRING: 'Attention',
  RESOLVED: 'Good',
  TEST: 'Accent',
};

/** TextBlock text is markdown in Teams; escape what would restyle text we did not write. */
function cardEscape(text: string): string {
  return text.replace(/[\\*_`[\]]/g, '\\$&');
}

/** The AdaptiveCard itself (the `content` of the attachment). */
export function adaptiveCard(message: AlertMessage): Record<string, unknown> {
  const w = alertWords(message);
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: cardEscape(truncate(w.headline, 300)),
      size: 'Medium',
      weight: 'Bolder',
      color: COLOR[w.status],
      wrap: true,
    },
    { type: 'TextBlock', text: cardEscape(truncate(w.summary, 4000)), wrap: true },
    {
      type: 'FactSet',
      facts: w.facts.map((f) => ({ title: f.label, value: cardEscape(f.value) })),
    },
  ];
  if (w.missing.length) {
    body.push({
      type: 'TextBlock',
      text: w.missing.join('; '),
      isSubtle: true,
      size: 'Small',
      wrap: true,
    });
  }
  return {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions: w.links.map((l) => ({ type: 'Action.OpenUrl', title: l.text, url: l.url })),
  };
}

/** The Workflows webhook JSON for `message`. */
export function teamsPayload(message: AlertMessage): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      { contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: adaptiveCard(message) },
    ],
  };
}

/** Posts to one Teams Workflows webhook. */
export function createTeamsNotifier(cfg: TeamsNotifierConfig, deps: HttpNotifierDeps): Notifier {
  return {
    id: cfg.id,
    kind: 'teams',
    async send(message, signal) {
      const body = JSON.stringify(teamsPayload(message));
      await postJson(deps, { label: `teams "${cfg.id}"`, url: cfg.url, body, signal });
    },
  };
}
