/**
 * A token bucket per client IP for the public routes: `burst` requests at
 * once, refilled at `perSecond`. Generous by default so a status page, a
 * badge-heavy README or a polling script never notice it; a flood gets 429
 * with Retry-After. In memory, per process: enough to keep one client from
 * starving the others (and from guessing the admin token quickly).
 */
import type { Context, MiddlewareHandler } from 'hono';

export interface RateLimitOptions {
  enabled: boolean;
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

/** Above this many tracked clients, full (idle) buckets are dropped. */
const MAX_CLIENTS = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: () => RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** 0 when the request may go ahead, else the seconds until one token is back. */
  take(key: string): number {
    const { perSecond, burst } = this.options();
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.buckets.size > MAX_CLIENTS) this.sweep(now);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const { perSecond, burst } = this.options();
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.buckets.delete(key);
  }
}

/**
 * The limit as configured now, over one set of buckets: the middleware and the Node badge fast
 * path (http/fast-path.ts) share it, so a client has one allowance whichever answers it.
 */
export class RateLimiter {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly options: () => RateLimitOptions,
    now: () => number,
  ) {
    this.buckets = new TokenBuckets(options, now);
  }

  get enabled(): boolean {
    return this.options().enabled;
  }

  /**
   * 0 when the client may go ahead (the request is counted), else the seconds to wait. `client`
   * names it (the runtime knows the peer address); undefined means unknown, and such requests
   * share one bucket. A refused request takes nothing, so asking again is harmless.
   */
  take(client: string | undefined): number {
    return this.buckets.take(client ?? 'unknown');
  }
}

/**
 * Behind a trusted reverse proxy, the client is the address it appended last to
 * X-Forwarded-For (the leftmost entries are whatever the client claimed). `header` is the
 * field as one string, repeated lines joined with ", ". Undefined when there is none.
 */
export function lastForwardedHop(header: string | undefined): string | undefined {
  return (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
}

/** Routes that must answer however busy a client is: probes of freshprobe itself. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

/** The middleware. */
export function rateLimit(
  limiter: RateLimiter,
  clientKey: (c: Context) => string | undefined,
): MiddlewareHandler {
  return async (c, next) => {
    if (!limiter.enabled || EXEMPT.has(c.req.path)) return next();
    const wait = limiter.take(clientKey(c));
    if (wait === 0) return next();
    c.header('Retry-After', String(wait));
    return c.json({ error: 'too many requests', retryAfterSeconds: wait }, 429);
  };
}
