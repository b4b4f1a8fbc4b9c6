/**
 * `kind: discord`: a Discord channel webhook (https://discord.com/api/webhooks/<id>/<token>).
 * The body is `{ username?, allowed_mentions, embeds: [embed] }` with one embed: title, summary
 * and links as description, the facts as fields, a colour per status, and the message time.
 * Discord's limits are kept: title 256, description 4096, 25 fields of name 256 and value 1024,
 * 6000 characters in all. `allowed_mentions: { parse: [] }` because a site name or summary
 * containing "@everyone" must not ping a whole server. Discord answers 204 without `?wait=true`.
 */
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { type AlertWords, alertWords, truncate } from './format.js';
import { type HttpNotifierDeps, postJson } from './http-send.js';

export interface DiscordNotifierConfig {
  id: string;
  /** The webhook URL; its last path segment is the token, so it never appears in errors. */
  url: string;
  /** Overrides the webhook's default name (Discord allows 1-80 characters). */
  username?: string;
}

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  total: 6000,
  username: 80,
} as const;

/** All field values together stay under this; the rest of the 6000 is title and description. */
const FIELDS_BUDGET = 3_600;

/** Red for firing, green for resolved, blue for a test. */
const COLOR: Record<AlertWords['status'], number> = {
  FIRING: 0xe74c3c,
  RESOLVED: 0x2ecc71,
  TEST: 0x3498db,
};

/** Escapes Discord markdown in text we did not write, so names cannot restyle the message. */
export function discordEscape(text: string): string {
  return text.replace(/[\\*_~`|[\]]/g, '\\$&').replace(/^([#>-])/gm, '\\$1');
}

interface Embed {
  title: string;
  description: string;
  url: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp: string;
  footer: { text: string };
}

function description(w: AlertWords, room: number): string {
  const links = w.links.map((l) => `[${discordEscape(l.text)}](${l.url})`).join(' · ');
  const notes = w.missing.map((n) => `*${discordEscape(n)}*`).join('\n');
  const tail = `\n\n${links}${notes ? `\n${notes}` : ''}`;
  // The links matter more than the end of a long summary: cut the summary, keep the links.
  return `${truncate(discordEscape(w.summary), Math.max(0, room - tail.length))}${tail}`;
}

/** The Discord execute-webhook JSON for `message`. */
export function discordPayload(message: AlertMessage, username?: string): Record<string, unknown> {
  const w = alertWords(message);
  const facts = w.facts.slice(0, DISCORD_LIMITS.fields);
  // Fields share a budget so the description, which holds the links, always has room.
  const perField = Math.min(DISCORD_LIMITS.fieldValue, Math.floor(FIELDS_BUDGET / facts.length));
  const fields = facts.map((f) => ({
    name: truncate(f.label, DISCORD_LIMITS.fieldName),
    value: truncate(discordEscape(f.value), perField),
    inline: f.label !== 'Latency' && f.label !== 'Site',
  }));
  const title = truncate(w.headline, DISCORD_LIMITS.title);
  const footer = { text: truncate(`freshprobe · incident ${message.incidentId}`, 2048) };
  const used =
    title.length +
    footer.text.length +
    fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const embed: Embed = {
    title,
    description: description(w, Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - used)),
    url: message.siteUrl ?? message.site.url,
    color: COLOR[w.status],
    fields,
    timestamp: new Date(message.at).toISOString(),
    footer,
  };
  return {
    ...(username && { username: truncate(username, DISCORD_LIMITS.username) }),
    allowed_mentions: { parse: [] },
    embeds: [embed],
  };
}

/** Posts to one Discord webhook. */
export function createDiscordNotifier(
  cfg: DiscordNotifierConfig,
  deps: HttpNotifierDeps,
): Notifier {
  return {
    id: cfg.id,
    kind: 'discord',
    async send(message, signal) {
      const body = JSON.stringify(discordPayload(message, cfg.username));
      await postJson(deps, { label: `discord "${cfg.id}"`, url: cfg.url, body, signal });
    },
  };
}
