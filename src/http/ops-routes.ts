/**
 * Operating routes: config reload (admin), the monitor's own health and gaps,
 * Prometheus metrics, and the rate limit in front of the public routes.
 * Everything is injected: a runtime that cannot reload or keep metrics
 * simply does not pass them.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { MonitorGap } from '../core/store.js';
import { type MetricsSource, metricsRoute } from './metrics.js';
import { RateLimiter, type RateLimitOptions, rateLimit } from './rate-limit.js';

/** What a reload changed; the body of `POST /api/v1/admin/reload`. */
export interface ReloadSummary {
  status: 'reloaded' | 'unchanged';
  sites: { added: string[]; removed: string[]; changed: string[]; unchanged: number };
  notifiers: number;
  /** Settings read only at start (port, host, database): changed in the file, not applied. */
  restartRequired: string[];
}

/** `GET /api/v1/monitor`: is the monitor itself watching, and when was it not. */
export interface MonitorView {
  /** Newest heartbeat (epoch ms). */
  heartbeatAt?: number;
  /** True when the heartbeat is late: data shown may be old. */
  stale: boolean;
  ready: boolean;
  reason?: string;
  gaps: MonitorGap[];
}

export interface OpsServices {
  /** Re-reads and applies the config; throws ConfigError (400 with problems) when invalid. */
  reload?(): Promise<ReloadSummary>;
  /** The monitor's own view, gaps since `since` (epoch ms). */
  monitor?(since: number): Promise<MonitorView>;
  metrics?: MetricsSource;
  /** Current rate limit (changes on reload); absent = no limit. */
  rateLimit?(): RateLimitOptions;
  /** The client's address (the runtime knows the peer); undefined when unknown. */
  clientAddress?(c: Context): string | undefined;
}

const WEEK_MS = 7 * 86_400_000;

/** Registered first, so every later route is behind it. The limiter, for the Node fast path. */
export function registerRateLimit(
  app: Hono,
  services: OpsServices,
  now: () => number,
): RateLimiter | undefined {
  const options = services.rateLimit;
  if (!options) return undefined;
  const limiter = new RateLimiter(options, now);
  app.use(
    '*',
    rateLimit(limiter, (c) => services.clientAddress?.(c)),
  );
  return limiter;
}

export function registerOpsRoutes(
  app: Hono,
  services: OpsServices,
  admin: MiddlewareHandler,
  now: () => number,
): void {
  metricsRoute(app, services.metrics);
  app.post('/api/v1/admin/reload', admin, async (c) => {
    if (!services.reload) return c.json({ error: 'this runtime cannot reload its config' }, 501);
    return c.json(await services.reload());
  });
  app.get('/api/v1/monitor', async (c) => {
    if (!services.monitor) return c.json({ error: 'not available in this runtime' }, 501);
    const since = Number(c.req.query('since') ?? Number.NaN);
    return c.json(await services.monitor(Number.isFinite(since) ? since : now() - WEEK_MS));
  });
}
