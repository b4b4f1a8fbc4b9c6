/**
 * The `edge` and `origin` probers, and the one capped, timed, redirect-following GET that every
 * HTTP-based prober shares (`probeOnce`). Runtime-independent: no node:* imports, the `fetch`
 * is injected (undici's in Node, the platform's in a Worker), so only standard fetch, streams and
 * AbortSignal are used. A site's misbehaviour never throws: it comes back as `error` data.
 */
import type { ErrorClass, ProbeResult } from '../core/model.js';
import type { Prober } from '../core/ports.js';
import { normalizeCacheInfo } from './cache-info.js';

export const DEFAULT_USER_AGENT = 'freshprobe/0.1 (+https://github.com/freshprobe/freshprobe)';

/** Why a probe could not judge content, in the words the core stores. */
export interface ProbeFailure {
  class: ErrorClass;
  message: string;
}

/** Budgets of one probe. */
export interface ProbeLimits {
  /** Whole-probe budget, ms: redirects, headers and body together. */
  timeoutMs: number;
  /** Cap on waiting for each hop's response headers, ms; never more than the budget left. */
  headersTimeoutMs?: number;
  /** Stop reading (and cancel) once the body passes this many bytes. */
  maxBodyBytes: number;
  /** Redirects followed before `too_many_redirects`. */
  maxRedirects: number;
  /** Clock for `startedAt`/`durationMs`, epoch ms; default Date.now. */
  now?: () => number;
}

export interface ProbeInit {
  headers?: Record<string, string>;
  /** Aborts the probe (reported as a `timeout` result, not thrown). */
  signal?: AbortSignal;
}

/** A ProbeResult before the caller names its vantage. */
export type ProbeOutcome = Omit<ProbeResult, 'vantage'>;

/** The reason we put on our own AbortController, so a timeout is told apart from a network error. */
class ProbeAbort extends Error {
  constructor(readonly failure: ProbeFailure) {
    super(failure.message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirect bodies are drained (not cancelled) up to this size so the connection can be reused. */
const REDIRECT_DRAIN_BYTES = 64 * 1024;

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'body stalled',
};
const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection closed before a complete response',
  UND_ERR_CLOSED: 'connection closed',
};
const DNS_CODE = /^(ENOTFOUND|EAI_AGAIN|EAI_NODATA|EAI_FAIL|EAI_NONAME|ENODATA)$/;
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|EPROTO$)|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;
// Z_*: a body that claims gzip/deflate/br and does not decode (Node's zlib).
const PROTOCOL_CODE = /^(HPE_|UND_ERR_RES_CONTENT_LENGTH_MISMATCH|Z_|ERR_BROTLI|ERR__ERROR_FORMAT)/;
/** Workers (and other runtimes) give only a message; these patterns are checked in order. */
const MESSAGE_RULES: [RegExp, ErrorClass][] = [
  [/certificate|\btls\b|\bssl\b|handshake/i, 'tls'],
  [/\bdns\b|not resolve|name not resolved|getaddrinfo/i, 'dns'],
  [/timed? ?out|timeout/i, 'timeout'],
  [/parse|malformed|invalid http|protocol/i, 'protocol'],
];

const short = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);
/** `1.5s`, `800ms`: durations in messages. */
const fmt = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`;
const fmtBytes = (n: number) => (n % 1048576 === 0 ? `${n / 1048576} MiB` : `${n} bytes`);
const timeout = (message: string): ProbeFailure => ({ class: 'timeout', message });

type Cause = { name?: string; code?: string; message?: string };

/** `err`, its `cause`, the cause's cause...: undici puts the socket error one level down. */
function causes(err: unknown, depth = 0): Cause[] {
  if (!err || typeof err !== 'object' || depth > 4) return [];
  const { name, code, message, cause } = err as Cause & { code?: unknown; cause?: unknown };
  const item = { name, code: typeof code === 'string' ? code : undefined, message };
  return [item, ...causes(cause, depth + 1)];
}

/**
 * Classifies an error thrown by any `fetch` into an ErrorClass and a short human message.
 * Node (undici) wraps the socket error in `cause` with a `code`; Workers throw plain errors
 * whose message is all we get, so both are looked at.
 */
export function classifyFetchError(err: unknown, url?: string): ProbeFailure {
  if (err instanceof ProbeAbort) return err.failure;
  const chain = causes(err);
  const deepest = chain.at(-1)?.message ?? String(err);
  const host = url && URL.canParse(url) ? new URL(url).host : 'host';
  for (const { name, code = '' } of chain) {
    if (name === 'TimeoutError' || name === 'AbortError') return timeout('probe aborted');
    if (name === 'HTTPParserError' || PROTOCOL_CODE.test(code)) {
      return { class: 'protocol', message: short(`malformed HTTP response: ${deepest}`) };
    }
    if (TIMEOUT_CODES[code]) return timeout(TIMEOUT_CODES[code]);
    if (DNS_CODE.test(code))
      return { class: 'dns', message: `DNS lookup failed: ${host} (${code})` };
    if (TLS_CODE.test(code)) return { class: 'tls', message: short(`TLS: ${deepest}`) };
    const refused = CONNECT_CODES[code];
    if (refused) return { class: 'connect', message: `${refused} (${host})` };
  }
  const text = chain.map((c) => c.message ?? '').join(' ');
  const rule = MESSAGE_RULES.find(([pattern]) => pattern.test(text));
  return { class: rule?.[1] ?? 'connect', message: short(deepest) };
}

/** Settles with `task`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Reads at most `cap` bytes as UTF-8; past that it cancels, so a 50 MiB body costs `cap`. */
async function readCapped(body: Response['body'], cap: number, signal: AbortSignal) {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let size = 0;
  const reader = body?.getReader();
  try {
    for (;;) {
      const chunk = reader && (await raceAbort(reader.read(), signal));
      if (!chunk || chunk.done) return { text: text + decoder.decode(), over: false };
      const room = cap - size;
      size += chunk.value.byteLength;
      text += decoder.decode(chunk.value.subarray(0, room), { stream: true });
      if (size > cap) return { text: text + decoder.decode(), over: true };
    }
  } finally {
    // A no-op on a finished stream; on early exit it drops the rest (and that connection).
    reader?.cancel().catch(() => {});
  }
}

type Facts = Omit<ProbeOutcome, 'startedAt' | 'durationMs'>;

/** One probe's budget and cancellation; every phase runs through `within`. */
class Budget {
  readonly ctl = new AbortController();
  readonly deadline: number;
  constructor(readonly limits: ProbeLimits) {
    // Real time, even when `limits.now` is a test clock: the timers run on real time.
    this.deadline = Date.now() + limits.timeoutMs;
  }

  left(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** Runs one phase under its own timer; the timer aborts the whole probe with `failure`. */
  async within<T>(ms: number, failure: ProbeFailure, task: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => this.ctl.abort(new ProbeAbort(failure)), ms);
    try {
      return await raceAbort(task(), this.ctl.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  failure(err: unknown, url: string): ProbeFailure {
    const reason = this.ctl.signal.reason;
    return reason instanceof ProbeAbort ? reason.failure : classifyFetchError(err, url);
  }
}

/** Reads the final response's body under the rest of the budget; status and cache are kept. */
async function finish(budget: Budget, res: Response, url: string): Promise<Facts> {
  const { status } = res;
  const cache = normalizeCacheInfo(res.headers);
  // Kept for marker lookups in a response header (external deploys); lowercased names.
  const headers = Object.fromEntries(res.headers);
  const cap = budget.limits.maxBodyBytes;
  const stalled = timeout(`body not complete within ${fmt(budget.limits.timeoutMs)}`);
  try {
    const read = await budget.within(budget.left(), stalled, () =>
      readCapped(res.body, cap, budget.ctl.signal),
    );
    if (read.over) {
      const error = { class: 'too_large' as const, message: `body larger than ${fmtBytes(cap)}` };
      return { status, body: read.text, cache, headers, error };
    }
    // undici frees the connection a tick after the body ends; without this yield a probe that
    // follows at once finds it busy and opens a second connection instead of reusing it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { status, body: read.text, cache, headers };
  } catch (err) {
    return { status, cache, error: budget.failure(err, url) };
  }
}

/** The next URL of a redirect chain, or the failure that ends it. */
function nextHop(chain: string[], location: string, maxRedirects: number): string | ProbeFailure {
  const next = URL.canParse(location, chain.at(-1)) ? new URL(location, chain.at(-1)) : undefined;
  if (next?.protocol !== 'http:' && next?.protocol !== 'https:') {
    return { class: 'protocol', message: short(`redirect to unusable location: ${location}`) };
  }
  next.hash = '';
  const origin = new URL(chain[0]!).origin;
  const name = (u: URL) => (u.origin === origin ? u.pathname + u.search : u.href);
  const seen = chain.indexOf(next.href);
  if (seen >= 0) {
    const loop = [...chain.slice(seen), next.href].map((u) => name(new URL(u))).join(' -> ');
    return { class: 'redirect_loop', message: short(`redirect loop: ${loop}`) };
  }
  if (chain.length > maxRedirects) {
    return { class: 'too_many_redirects', message: `more than ${maxRedirects} redirects` };
  }
  return next.href;
}

async function follow(budget: Budget, fetchFn: typeof fetch, start: string, init: RequestInit) {
  const chain = [new URL(start).href];
  for (;;) {
    const url = chain.at(-1)!;
    const allowance = Math.min(budget.limits.headersTimeoutMs ?? Infinity, budget.left());
    const silent = timeout(`no response headers within ${fmt(allowance)}`);
    const res = await budget.within(allowance, silent, () => fetchFn(url, init));
    const location = REDIRECTS.has(res.status) ? res.headers.get('location') : null;
    if (location === null) return finish(budget, res, url);
    const next = nextHop(chain, location, budget.limits.maxRedirects);
    if (typeof next !== 'string') {
      res.body?.cancel().catch(() => {});
      return { status: res.status, cache: normalizeCacheInfo(res.headers), error: next };
    }
    const drained = timeout(`redirect body not complete within ${fmt(budget.limits.timeoutMs)}`);
    await budget.within(budget.left(), drained, () =>
      readCapped(res.body, REDIRECT_DRAIN_BYTES, budget.ctl.signal),
    );
    chain.push(next);
  }
}

/**
 * One GET of `url`: follows redirects by hand (loops and count capped), times out headers per
 * hop and the body by the rest of `limits.timeoutMs`, caps the body. Never rejects.
 */
export async function probeOnce(
  fetchFn: typeof fetch,
  url: string,
  init: ProbeInit,
  limits: ProbeLimits,
): Promise<ProbeOutcome> {
  const now = limits.now ?? Date.now;
  const startedAt = now();
  const budget = new Budget(limits);
  const onAbort = () => budget.ctl.abort(new ProbeAbort(timeout('probe aborted')));
  if (init.signal?.aborted) onAbort();
  init.signal?.addEventListener('abort', onAbort, { once: true });
  const request: RequestInit = {
    headers: init.headers ?? {},
    redirect: 'manual',
    signal: budget.ctl.signal,
  };
  let facts: Facts;
  try {
    facts = await follow(budget, fetchFn, url, request);
  } catch (err) {
    facts = { cache: {}, error: budget.failure(err, url) };
  } finally {
    init.signal?.removeEventListener('abort', onAbort);
  }
  return { startedAt, durationMs: Math.max(0, now() - startedAt), ...facts };
}

/** Options of the `edge` and `origin` probers; the limits as in ProbeLimits. */
export interface HttpProberOptions extends ProbeLimits {
  vantage: 'edge' | 'origin';
  /** Full canary URL, e.g. https://docs.example.com/freshprobe/canary.json */
  url: string;
  /** For `origin`: probe this URL instead of cache-busting `url`. */
  originUrl?: string;
  headers?: Record<string, string>;
  fetch: typeof fetch;
  /** Default DEFAULT_USER_AGENT. */
  userAgent?: string;
}

/** `url` plus a unique `freshprobe=` query parameter, so no cache can have it. */
function cacheBusted(url: string): string {
  const busted = new URL(url);
  busted.searchParams.set('freshprobe', crypto.randomUUID().replaceAll('-', ''));
  return busted.href;
}

/**
 * `edge` probes the URL as a user gets it; `origin` probes a cache-busted URL (or `originUrl`)
 * with `Cache-Control: no-cache`, so a CDN's TTL and a stuck origin are told apart.
 */
export function createHttpProber(opts: HttpProberOptions): Prober {
  const origin = opts.vantage === 'origin';
  new URL(opts.originUrl ?? opts.url); // a bad URL is a config error: fail at creation, not per probe
  return {
    kind: opts.vantage,
    async probe(signal: AbortSignal): Promise<ProbeResult[]> {
      const target = origin ? (opts.originUrl ?? cacheBusted(opts.url)) : opts.url;
      const headers: Record<string, string> = {
        'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
        ...opts.headers,
        ...(origin ? { 'cache-control': 'no-cache', pragma: 'no-cache' } : {}),
      };
      const outcome = await probeOnce(opts.fetch, target, { headers, signal }, opts);
      return [{ vantage: opts.vantage, ...outcome }];
    },
  };
}
