/**
 * The one HTTP POST every HTTP notifier makes: JSON body, a timeout, no redirects, and a
 * failure classified for the delivery outbox. Network errors, timeouts, 5xx and 429 are
 * retryable (with Retry-After kept); other answers are not, with the tail of the response body
 * so the operator sees the service's own reason. Webhook URLs carry their token in the path or
 * query, so every message is built from the host only and scrubbed of known secrets.
 * Runtime-independent: `fetch` is injected (undici's in Node, the platform's in a Worker).
 */
import { FreshprobeError, NotifyError } from '../core/errors.js';
import { DEFAULT_USER_AGENT } from '../probers/http.js';

/** What every HTTP notifier factory is given. */
export interface HttpNotifierDeps {
  fetch: typeof fetch;
  /** Epoch ms; for Retry-After dates and message timestamps. Default Date.now. */
  now?: () => number;
  /** Whole-request budget, ms (default 10 s). */
  timeoutMs?: number;
}

/**
 * A failed delivery, with what the outbox needs to schedule the next try. Every notifier
 * throws this (a NotifyError, so `retryable` is there too).
 */
export class NotifySendError extends NotifyError {
  /** HTTP status, or the SMTP reply code, when the service answered. */
  readonly status?: number;
  /** From Retry-After (seconds or HTTP date), ms from now; only on retryable errors. */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    opts: { retryable: boolean; status?: number; retryAfterMs?: number },
  ) {
    super(message, { retryable: opts.retryable });
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

export interface PostRequest {
  /** Names the notifier in messages, e.g. `slack "ops"`. */
  label: string;
  url: string;
  /** JSON text, sent as is (the webhook signs these exact bytes). */
  body: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** Extra values never to show in an error (routing keys); the URL's own parts are added. */
  secrets?: string[];
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Enough of a response body to read the service's reason; the rest is not read. */
const MAX_BODY_BYTES = 64 * 1024;
const BODY_TAIL_CHARS = 300;

/**
 * The parts of a URL that may be a credential: the whole URL, path and query, every path
 * segment and query value long enough to be a token, and userinfo.
 */
export function urlSecrets(url: string): string[] {
  const u = new URL(url);
  const out = [url, `${u.pathname}${u.search}`, u.search.slice(1), u.username, u.password];
  for (const segment of u.pathname.split('/')) out.push(segment, safeDecode(segment));
  for (const value of u.searchParams.values()) out.push(value, encodeURIComponent(value));
  return out.filter((s) => s.length >= 6);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces every secret in `text` with `[redacted]`, longest first so none leaks in part. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s) out = out.split(s).join('[redacted]');
  }
  return out;
}

/** Retry-After as ms from `now`: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    size += r.value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c.subarray(0, size - offset), offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function bodyTail(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_TAIL_CHARS ? `…${flat.slice(-BODY_TAIL_CHARS)}` : flat;
}

/** Why fetch threw, in a few words: undici puts the errno on `cause.code`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

type Fail = (text: string, opts: ConstructorParameters<typeof NotifySendError>[1]) => Error;

/**
 * The fetch itself. A refusal by the address guard keeps its own class (a private address is a
 * config fix, not worth a retry); every other way it can throw is retryable.
 */
async function send(deps: HttpNotifierDeps, req: PostRequest, fail: Fail): Promise<Response> {
  const host = new URL(req.url).host;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await deps.fetch(req.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': DEFAULT_USER_AGENT,
        ...req.headers,
      },
      body: req.body,
      // A redirect could lead past the address guard; a webhook that moved is a config fix.
      redirect: 'manual',
      signal: AbortSignal.any([req.signal, timeout]),
    });
  } catch (error) {
    if (error instanceof FreshprobeError && !timeout.aborted && !req.signal.aborted)
      throw fail(error.message, { retryable: error.retryable });
    const why = timeout.aborted
      ? `no answer from ${host} within ${timeoutMs}ms`
      : req.signal.aborted
        ? `sending to ${host} was cancelled`
        : `could not reach ${host}: ${networkReason(error)}`;
    throw fail(why, { retryable: true });
  }
}

/** Throws NotifySendError unless the service answered 2xx; returns the (capped) body then. */
export async function postJson(deps: HttpNotifierDeps, req: PostRequest): Promise<string> {
  const secrets = [...urlSecrets(req.url), ...(req.secrets ?? [])];
  const fail: Fail = (text, opts) =>
    new NotifySendError(redact(`${req.label}: ${text}`, secrets), opts);
  const res = await send(deps, req, fail);
  const text = await readCapped(res).catch(() => '');
  if (res.status >= 200 && res.status < 300) return text;
  const said = `${new URL(req.url).host} answered ${res.status}${text ? `: ${bodyTail(text)}` : ''}`;
  if (res.status === 429 || res.status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), (deps.now ?? Date.now)());
    throw fail(said, { retryable: true, status: res.status, retryAfterMs });
  }
  const hint = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
  throw fail(`${said}${hint}`, { retryable: false, status: res.status });
}
