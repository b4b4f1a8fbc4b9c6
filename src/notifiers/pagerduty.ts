/**
 * `kind: pagerduty`: PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue).
 * Firing, repeat and test messages are `trigger` events with the incident's `dedup_key`, so a
 * repeat lands on the open alert instead of opening another; a resolved message is a `resolve`
 * event carrying only `routing_key`, `event_action` and `dedup_key`, as documented. PagerDuty
 * answers 202 Accepted; 400 is an invalid event (not retried), 429 and 5xx are retried.
 */
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { alertWords, truncate } from './format.js';
import { type HttpNotifierDeps, postJson } from './http-send.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerdutyNotifierConfig {
  id: string;
  /** The Events API v2 integration key; never shown in errors. */
  routingKey: string;
  /** Default PAGERDUTY_EVENTS_URL; overridable for proxies and tests. */
  url?: string;
}

export type PagerdutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Outages page as critical, stale content as error; a test only informs. */
export function severityOf(message: AlertMessage): PagerdutySeverity {
  if (message.kind === 'test') return 'info';
  if (message.state === 'missing' || message.state === 'error') return 'critical';
  if (message.state === 'propagating' || message.state === 'fresh') return 'warning';
  return 'error';
}

const MAX_DEDUP_KEY = 255;

/** dedup_key within PagerDuty's 255 characters; a longer key keeps its head plus a hash. */
export async function dedupKeyOf(key: string): Promise<string> {
  if (key.length <= MAX_DEDUP_KEY) return key;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${key.slice(0, MAX_DEDUP_KEY - hex.length - 1)}~${hex}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The trigger event body (without routing_key and dedup_key, added by the caller). */
export function triggerPayload(message: AlertMessage): Record<string, unknown> {
  const w = alertWords(message);
  const details: Record<string, unknown> = Object.fromEntries(
    w.facts.map((f) => [f.label.toLowerCase().replace(/ /g, '_'), f.value]),
  );
  Object.assign(details, {
    summary: w.summary,
    incident_id: message.incidentId,
    state: message.state,
    cause: message.cause,
    since: new Date(message.since).toISOString(),
    staleness_ms: message.stalenessMs ?? null,
    affected_vantages: message.vantages,
    latency: message.latency ?? null,
    ...(w.missing.length && { notes: w.missing }),
  });
  return {
    payload: {
      summary: truncate(w.headline, 1024),
      source: hostOf(message.site.url),
      severity: severityOf(message),
      timestamp: new Date(message.at).toISOString(),
      component: message.site.id,
      group: 'freshprobe',
      class: message.cause,
      custom_details: details,
    },
    links: w.links.map((l) => ({ href: l.url, text: l.text })),
    client: 'freshprobe',
    ...(message.siteUrl && { client_url: message.siteUrl }),
  };
}

/** The whole Events API v2 body for `message`. */
export async function pagerdutyEvent(
  message: AlertMessage,
  routingKey: string,
): Promise<Record<string, unknown>> {
  const dedup_key = await dedupKeyOf(message.dedupKey);
  if (message.kind === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    ...triggerPayload(message),
  };
}

/** Sends events to one PagerDuty service integration. */
export function createPagerdutyNotifier(
  cfg: PagerdutyNotifierConfig,
  deps: HttpNotifierDeps,
): Notifier {
  const url = cfg.url ?? PAGERDUTY_EVENTS_URL;
  return {
    id: cfg.id,
    kind: 'pagerduty',
    async send(message, signal) {
      const body = JSON.stringify(await pagerdutyEvent(message, cfg.routingKey));
      const label = `pagerduty "${cfg.id}"`;
      await postJson(deps, { label, url, body, signal, secrets: [cfg.routingKey] });
    },
  };
}
