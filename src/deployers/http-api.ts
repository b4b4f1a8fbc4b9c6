/**
 * The HTTP plumbing the API deployers (gitlab-api, github-api, webhook) share:
 * bounded retries on network errors, 5xx and 429 that honour Retry-After,
 * per-request timeouts, the deploy's abort signal, capped response bodies and
 * one way to turn a refusal into a DeployError with the host's own words.
 * Not a deployer kind itself. Runtime-independent: fetch is injected.
 */
import { DeployError, FreshprobeError } from '../core/errors.js';

/** One answer, body already read (capped) so callers can retry or report freely. */
export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  body: unknown;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  /** Sent as a JSON body with `Content-Type: application/json`. */
  json?: unknown;
}

export interface ApiClientOptions {
  /** Deployer kind, the prefix of every message. */
  label: string;
  fetch: typeof fetch;
  /** Tries per request, first included (default 3). */
  attempts?: number;
  /** Longest wait honoured between tries, ms (default 30 000); a longer Retry-After ends the retries. */
  maxWaitMs?: number;
  /** Budget of one request, ms (default 30 000). */
  requestTimeoutMs?: number;
  /** Extra rule for "wait and try again" answers beyond 5xx/429, returning the wait in ms. */
  retryWait?: (reply: ApiReply, nowMs: number) => number | undefined;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ApiClient {
  /** The final answer after retries; throws DeployError only when no answer came at all. */
  call(req: ApiRequest, signal: AbortSignal): Promise<ApiReply>;
}

const MAX_BODY_CHARS = 65_536;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as ms: delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Reads at most MAX_BODY_CHARS: a misbehaving endpoint must not fill memory. */
async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
    if (text.length >= MAX_BODY_CHARS) {
      await reader.cancel();
      return text.slice(0, MAX_BODY_CHARS);
    }
  }
}

async function readReply(response: Response): Promise<ApiReply> {
  const text = await readCapped(response);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** Creates a client; every deploy passes its own abort signal to `call`. */
export function createApiClient(o: ApiClientOptions): ApiClient {
  const attempts = o.attempts ?? 3;
  const maxWaitMs = o.maxWaitMs ?? 30_000;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? abortableSleep;
  const waitFor = (reply: ApiReply, attempt: number): number | undefined => {
    const custom = o.retryWait?.(reply, now());
    if (custom !== undefined) return custom;
    if (reply.status !== 429 && reply.status < 500) return undefined;
    return retryAfterMs(reply.headers, now()) ?? backoffMs(attempt);
  };
  return {
    async call(req, signal) {
      for (let attempt = 1; ; attempt++) {
        let reply: ApiReply;
        try {
          reply = await sendOnce(o, req, signal);
        } catch (error) {
          const failure = transportFailure(o.label, req, error, signal);
          if (!failure.retryable || attempt >= attempts) throw failure;
          await pause(backoffMs(attempt), signal, o.label, sleep);
          continue;
        }
        const wait = waitFor(reply, attempt);
        if (wait === undefined || attempt >= attempts || wait > maxWaitMs) return reply;
        await pause(wait, signal, o.label, sleep);
      }
    },
  };
}

/** One request, body read; throws whatever fetch throws. */
async function sendOnce(
  o: ApiClientOptions,
  req: ApiRequest,
  signal: AbortSignal,
): Promise<ApiReply> {
  const headers = { ...req.headers };
  const typed = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (req.json !== undefined && !typed) headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout(o.requestTimeoutMs ?? 30_000);
  const response = await o.fetch(req.url, {
    method: req.method,
    headers,
    body: req.json === undefined ? undefined : JSON.stringify(req.json),
    // Never follow: a redirect would carry the token to wherever it points.
    redirect: 'manual',
    signal: AbortSignal.any([signal, timeout]),
  });
  return readReply(response);
}

/** 0.5 s, 1 s, 2 s...: enough for a blip, short enough for a deploy budget. */
function backoffMs(attempt: number): number {
  return 500 * 2 ** (attempt - 1);
}

async function pause(
  ms: number,
  signal: AbortSignal,
  label: string,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    throw new DeployError(`${label}: aborted while waiting to retry`, {
      retryable: true,
      cause: error,
    });
  }
}

/** A request that got no answer: refused by the guard, aborted, timed out or a network error. */
function transportFailure(
  label: string,
  req: ApiRequest,
  error: unknown,
  signal: AbortSignal,
): DeployError {
  const where = `${req.method} ${new URL(req.url).origin}`;
  if (error instanceof FreshprobeError) {
    return new DeployError(`${label}: ${error.message}`, {
      retryable: error.retryable,
      cause: error,
    });
  }
  if (signal.aborted) return new DeployError(`${label}: ${where} aborted`, { retryable: true });
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const why =
    e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message);
  return new DeployError(`${label}: ${where} failed: ${why}`, { retryable: true, cause: error });
}

/** The host's own explanation: JSON `message`/`error`, else the body's tail. */
export function apiMessage(reply: ApiReply, tailChars = 300): string {
  const body = reply.body as
    | { message?: unknown; error_description?: unknown; error?: unknown }
    | undefined;
  // OAuth-style errors (GitLab's insufficient_scope) explain themselves in error_description.
  const said = body?.message ?? body?.error_description ?? body?.error;
  if (typeof said === 'string' && said.trim() !== '') return said.replace(/\s+/g, ' ').trim();
  if (said !== undefined && said !== null) return JSON.stringify(said);
  const text = reply.text.replace(/\s+/g, ' ').trim();
  return text.length > tailChars ? `...${text.slice(-tailChars)}` : text || '(empty body)';
}

/**
 * The DeployError for a non-success answer. `hint` says what it likely means
 * for this API (bad token, missing scope); retryable by default for 408, 429 and 5xx.
 */
export function apiFailure(
  label: string,
  op: string,
  reply: ApiReply,
  hint?: string,
  retryable = reply.status === 408 || reply.status === 429 || reply.status >= 500,
): DeployError {
  const { status } = reply;
  let meaning = hint;
  if (status >= 300 && status < 400) {
    const location = reply.headers.get('location') ?? 'nowhere';
    meaning ??= `redirected to ${location}; configure the final URL (redirects are not followed, they would carry credentials)`;
    return new DeployError(`${label}: ${op} answered ${status}: ${meaning}`);
  }
  const after = retryAfterMs(reply.headers, Date.now());
  const wait =
    status === 429 && after !== undefined ? ` (retry after ${Math.ceil(after / 1000)} s)` : '';
  const prefix = meaning ? `${meaning}: ` : '';
  return new DeployError(
    `${label}: ${op} answered ${status}${wait}: ${prefix}${apiMessage(reply)}`,
    {
      retryable,
    },
  );
}
