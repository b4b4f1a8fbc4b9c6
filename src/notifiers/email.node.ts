/**
 * `kind: email`: one mail per message over SMTP (nodemailer). Subject `[freshprobe] FIRING:
 * <title line>` (RESOLVED, TEST likewise), a text and an escaped HTML body with the same facts,
 * and `X-Freshprobe-Incident`. Message-IDs derive from the incident's dedupKey, so a repeat or
 * the resolve carries `In-Reply-To`/`References` of the firing mail and mail clients thread
 * them, even across restarts. `smtp` is `smtp://user:pass@host:587` (STARTTLS, required when
 * logging in to a host other than loopback) or `smtps://...:465`; put the password in the
 * environment (`${SMTP_PASSWORD}`).
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AlertMessage } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { type AlertWords, alertWords, plainText } from './format.js';
import { NotifySendError, redact } from './http-send.js';

export interface EmailNotifierConfig {
  id: string;
  /** smtp:// or smtps:// URL; userinfo (percent-encoded) is the login. */
  smtp: string;
  /** `ops@example.com` or `Ops <ops@example.com>`. */
  from: string;
  to: string[];
}

export interface EmailNotifierDeps {
  /** Budget for connecting and for the greeting, ms (default 10 s); idle socket 3x this. */
  timeoutMs?: number;
  /** Extra TLS options (a private CA); merged into nodemailer's `tls`. */
  tls?: { ca?: string | string[]; servername?: string };
}

/** The domain part of an address, for Message-IDs (RFC 5322 wants a domain on the right). */
function domainOf(address: string): string {
  const match = /@([^\s@<>]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'freshprobe.invalid';
}

/** Message-IDs of one incident's thread; the firing mail is the root. */
export function threadIds(message: AlertMessage, from: string): { id: string; root: string } {
  const hash = createHash('sha256').update(message.dedupKey).digest('hex').slice(0, 32);
  const domain = domainOf(from);
  const root = `<freshprobe.${hash}@${domain}>`;
  const suffix =
    message.kind === 'resolved'
      ? '.resolved'
      : message.kind === 'repeat'
        ? `.repeat.${message.at}`
        : '';
  return { id: suffix ? `<freshprobe.${hash}${suffix}@${domain}>` : root, root };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML body: a heading, the summary, the facts as a table, the links. */
export function htmlBody(w: AlertWords): string {
  const rows = w.facts
    .map(
      (f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join('\n');
  const links = w.links
    .map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a>`)
    .join(' · ');
  const notes = w.missing.map((n) => `<p><em>${escapeHtml(n)}</em></p>`).join('\n');
  return `<!doctype html>
<html><body>
<h2>${escapeHtml(w.headline)}</h2>
<p>${escapeHtml(w.summary)}</p>
<table cellpadding="4">
${rows}
</table>
<p>${links}</p>
${notes}
</body></html>
`;
}

/** Everything nodemailer needs for one message. */
export function mailFor(
  message: AlertMessage,
  cfg: EmailNotifierConfig,
): nodemailer.SendMailOptions {
  const w = alertWords(message);
  const { id, root } = threadIds(message, cfg.from);
  const threaded = id !== root;
  return {
    from: cfg.from,
    to: cfg.to,
    subject: `[freshprobe] ${w.status}: ${w.titleLine}`.replace(/[\r\n]+/g, ' '),
    text: plainText(w),
    html: htmlBody(w),
    messageId: id,
    ...(threaded && { inReplyTo: root, references: [root] }),
    headers: { 'X-Freshprobe-Incident': message.incidentId, 'X-Freshprobe-Event': message.kind },
    date: new Date(message.at),
  };
}

/** SMTP error codes that say "try again later": the network, not the message, failed. */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET']);

/** SMTP 4xx replies are transient by definition (RFC 5321 4.2.1); 5xx are permanent. */
function classify(error: unknown): { retryable: boolean; reply?: number } {
  const e = error as { code?: string; responseCode?: number };
  if (typeof e.responseCode === 'number') {
    return { retryable: e.responseCode >= 400 && e.responseCode < 500, reply: e.responseCode };
  }
  return { retryable: e.code === undefined || RETRYABLE_CODES.has(e.code) };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/** nodemailer options from the smtp URL; nodemailer never sees the URL, so it cannot echo it. */
export function transportOptions(cfg: EmailNotifierConfig, deps: EmailNotifierDeps) {
  const u = new URL(cfg.smtp);
  const secure = u.protocol === 'smtps:';
  const timeout = deps.timeoutMs ?? 10_000;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    // A password must not cross the network in clear: demand STARTTLS unless on loopback.
    requireTLS: !secure && u.username !== '' && !LOOPBACK.test(host),
    ...(u.username && {
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 3 * timeout,
    ...(deps.tls && { tls: deps.tls }),
    logger: false,
    debug: false,
  };
}

function secretsOf(cfg: EmailNotifierConfig): string[] {
  const u = new URL(cfg.smtp);
  const pass = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [cfg.smtp, u.password, pass, b64(pass), b64(`\u0000${user}\u0000${pass}`)].filter(Boolean);
}

/** Sends each message as one mail to `cfg.to`. */
export function createEmailNotifier(
  cfg: EmailNotifierConfig,
  deps: EmailNotifierDeps = {},
): Notifier {
  const options = transportOptions(cfg, deps);
  const transport = nodemailer.createTransport(options);
  const secrets = secretsOf(cfg);
  const where = `${options.host}:${options.port}`;
  return {
    id: cfg.id,
    kind: 'email',
    async send(message, signal) {
      const cancelled = () =>
        new NotifySendError(`email "${cfg.id}": cancelled`, { retryable: true });
      if (signal.aborted) throw cancelled();
      // nodemailer takes no AbortSignal: stop waiting on abort; its own timeouts end the socket.
      let onAbort = () => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(cancelled());
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([transport.sendMail(mailFor(message, cfg)), aborted]);
      } catch (error) {
        if (error instanceof NotifySendError) throw error;
        const { retryable, reply } = classify(error);
        const why = error instanceof Error ? error.message : String(error);
        const text = `email "${cfg.id}": ${where}: ${why}`;
        throw new NotifySendError(redact(text, secrets), { retryable, status: reply });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      transport.close();
    },
  };
}
