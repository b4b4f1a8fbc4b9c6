/**
 * `kind: webhook`: POSTs the AlertMessage itself as JSON, for receivers you write. The body is
 * `{ "version": 1, "event": <kind>, ...AlertMessage }`. With a `secret`, each request is signed:
 * `X-Freshprobe-Timestamp: <unix seconds>` and
 * `X-Freshprobe-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * The timestamp is inside the signed string so a captured request cannot be replayed later
 * with a new timestamp; receivers should also refuse timestamps older than a few minutes.
 * Web Crypto only, so it runs on Workers too.
 */
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { type HttpNotifierDeps, postJson } from './http-send.js';

/** Version of the JSON body; bumped only on an incompatible change. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

export const SIGNATURE_HEADER = 'X-Freshprobe-Signature';
export const TIMESTAMP_HEADER = 'X-Freshprobe-Timestamp';

export interface WebhookNotifierConfig {
  id: string;
  url: string;
  /** Shared secret for the HMAC signature; unsigned without it. */
  secret?: string;
}

/** The exact JSON body sent for `message`. */
export function webhookBody(message: AlertMessage): string {
  return JSON.stringify({ version: WEBHOOK_PAYLOAD_VERSION, event: message.kind, ...message });
}

/** Lowercase hex HMAC-SHA256 of `data` under `secret`. */
export async function hmacSha256Hex(secret: string, data: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The two signature headers for `body` sent at `nowMs`. */
export async function signatureHeaders(
  secret: string,
  body: string,
  nowMs: number,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(nowMs / 1_000));
  const hex = await hmacSha256Hex(secret, `${timestamp}.${body}`);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${hex}` };
}

/** A generic JSON webhook, optionally signed. */
export function createWebhookNotifier(
  cfg: WebhookNotifierConfig,
  deps: HttpNotifierDeps,
): Notifier {
  const now = deps.now ?? Date.now;
  return {
    id: cfg.id,
    kind: 'webhook',
    async send(message, signal) {
      const body = webhookBody(message);
      const headers = cfg.secret ? await signatureHeaders(cfg.secret, body, now()) : {};
      await postJson(deps, {
        label: `webhook "${cfg.id}"`,
        url: cfg.url,
        body,
        headers: { ...headers, 'X-Freshprobe-Event': message.kind },
        signal,
        secrets: cfg.secret ? [cfg.secret] : [],
      });
    },
  };
}
