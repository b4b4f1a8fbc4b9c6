/**
 * The Node notifier table: config `kind` → factory, one line per file in src/notifiers.
 * No if-chains: adding a kind is one schema in src/config/adapters.ts and one line here.
 * The `fetch` given is the caller's (undici's pooled fetch, or the address-guarded one).
 */
import type { NotifierConfig } from '../config.js';
import type { Notifier } from '../core/ports.js';
import { createDiscordNotifier } from '../notifiers/discord.js';
import { createEmailNotifier } from '../notifiers/email.node.js';
import { createPagerdutyNotifier } from '../notifiers/pagerduty.js';
import { createSlackNotifier } from '../notifiers/slack.js';
import { createTeamsNotifier } from '../notifiers/teams.js';
import { createWebhookNotifier } from '../notifiers/webhook.js';

/** What every notifier factory may use. */
export interface NotifierContext {
  fetch: typeof fetch;
  /** Epoch ms. */
  now: () => number;
  /** Per-send budget, ms (HTTP request, or SMTP connect and greeting). Default 10 s. */
  timeoutMs?: number;
}

type NotifierFactory<K extends NotifierConfig['kind']> = (
  cfg: Extract<NotifierConfig, { kind: K }>,
  ctx: NotifierContext,
) => Notifier;

const notifiers: { [K in NotifierConfig['kind']]: NotifierFactory<K> } = {
  webhook: (cfg, ctx) => createWebhookNotifier(cfg, ctx),
  slack: (cfg, ctx) => createSlackNotifier(cfg, ctx),
  discord: (cfg, ctx) => createDiscordNotifier(cfg, ctx),
  teams: (cfg, ctx) => createTeamsNotifier(cfg, ctx),
  pagerduty: (cfg, ctx) => createPagerdutyNotifier(cfg, ctx),
  email: (cfg, ctx) => createEmailNotifier(cfg, { timeoutMs: ctx.timeoutMs }),
};

/** Builds the notifier for one config entry. */
export function buildNotifier(cfg: NotifierConfig, ctx: NotifierContext): Notifier {
  const factory = notifiers[cfg.kind] as NotifierFactory<NotifierConfig['kind']>;
  return factory(cfg, ctx);
}

/** Builds every configured notifier, by id. Call `close()` on each when done. */
export function buildNotifiers(
  cfgs: readonly NotifierConfig[],
  ctx: NotifierContext,
): Map<string, Notifier> {
  return new Map(cfgs.map((cfg) => [cfg.id, buildNotifier(cfg, ctx)]));
}
