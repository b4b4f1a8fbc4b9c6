/**
 * createApp(services): the whole route table, the same on Node and Workers.
 * Dependencies come in; nothing here reads the environment or opens files.
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../core/deps.js';
import { AuthError, ConfigError, FreshprobeError, NotFoundError } from '../core/errors.js';
import { MAX_MARKER_LENGTH } from '../core/external.js';
import type { Canary } from '../core/model.js';
import type { Clock } from '../core/ports.js';
import type { SiteSpec } from '../core/site.js';
import type { FullStore } from '../core/store.js';
import { type AgentSpec, registerAgentRoutes } from './agent-routes.js';
import type { WebAssets } from './assets.js';
import { requireAdmin } from './auth.js';
import { setFastPath } from './fast-path.js';
import { incidentRoutes } from './incident-routes.js';
import { type OpsServices, registerOpsRoutes, registerRateLimit } from './ops-routes.js';
import { registerScreenshotRoutes } from './screenshot-routes.js';
import { securityHeaders } from './security.js';
import { sloView } from './slo-view.js';
import { registerStatusRoutes } from './status-routes.js';
import { canaryView, siteView } from './views.js';

export interface Readiness {
  ready: boolean;
  /** Human reason while not ready: "loading", "scheduler stalled for 95 s". */
  reason?: string;
}

export interface AppServices extends OpsServices {
  store: FullStore;
  /** server.publicUrl, for absolute links in feeds and messages. */
  publicUrl?: string;
  clock: Clock;
  log: Logger;
  /** Current configured sites (changes on reload). */
  sites(): SiteSpec[];
  adminToken(): string | undefined;
  readiness(): Readiness;
  /** Persists a new canary for the site and wakes the scheduler. */
  requestCanary(siteId: string, reason: string): Promise<Canary>;
  /** Registers an external deploy's marker to be tracked like a canary. */
  registerDeploy(siteId: string, input: { marker: string; deployedAt?: number }): Promise<Canary>;
  /** Remote vantages allowed to push observations (config `agents`); absent = none. */
  agents?(): AgentSpec[];
  /** Shown on pages when running the built-in demo. */
  demo?: boolean;
  /** Built web assets (CSS, chart script); without them pages work unstyled. */
  assets?: WebAssets;
  /** Longest the status page, badges and Statuspage API reuse a state snapshot, ms (default 5 s). */
  stateMaxAgeMs?: number;
}

const MAX_LIMIT = 1000;

function limitParam(c: Context, fallback: number): number {
  const raw = Number(c.req.query('limit') ?? fallback);
  return Number.isInteger(raw) && raw > 0 ? Math.min(raw, MAX_LIMIT) : fallback;
}

function optionalNumber(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new HTTPException(400, { message: `${name} must be a number` });
  return n;
}

/** `{ marker, deployedAt? }`; deployedAt as epoch ms or an ISO date. */
async function deployInput(c: Context): Promise<{ marker: string; deployedAt?: number }> {
  const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  const marker = body?.marker;
  if (typeof marker !== 'string' || !marker.trim() || marker.length > MAX_MARKER_LENGTH) {
    throw new HTTPException(400, {
      message: `marker must be a non-empty string of at most ${MAX_MARKER_LENGTH} characters`,
    });
  }
  const raw = body?.deployedAt;
  if (raw === undefined) return { marker: marker.trim() };
  const deployedAt =
    typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(deployedAt))
    throw new HTTPException(400, { message: 'deployedAt must be epoch ms or an ISO date' });
  return { marker: marker.trim(), deployedAt };
}

export function createApp(services: AppServices): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  // A write the client was told succeeded (an ack, a pause, an agent's results) is durable
  // before the answer leaves: the store may group commits (sqlite.node.ts).
  app.use('*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await services.store.flush?.();
  });
  const limiter = registerRateLimit(app, services, () => services.clock.now());
  const findSite = (id: string): SiteSpec => {
    const site = services.sites().find((s) => s.id === id);
    if (!site) throw new NotFoundError(`no site with id "${id}"`);
    return site;
  };
  const admin = requireAdmin(services.adminToken);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const r = services.readiness();
    if (r.ready) return c.json({ status: 'ready' });
    c.header('Retry-After', '1');
    return c.json({ status: 'not_ready', reason: r.reason ?? 'starting' }, 503);
  });

  // Status page, site pages, assets, badges, Statuspage API, feed.
  const { peekBadge } = registerStatusRoutes(app, services);
  setFastPath(app, peekBadge, limiter);

  app.get('/api/v1/sites', async (c) => {
    const now = services.clock.now();
    const sites = await Promise.all(services.sites().map((s) => siteView(services.store, s, now)));
    return c.json({ sites });
  });
  app.get('/api/v1/sites/:id', async (c) => {
    const site = findSite(c.req.param('id'));
    const now = services.clock.now();
    const [view, slo] = await Promise.all([
      siteView(services.store, site, now),
      sloView(services.store, site, now),
    ]);
    return c.json({ ...view, slo });
  });
  app.get('/api/v1/sites/:id/canaries', async (c) => {
    const site = findSite(c.req.param('id'));
    const canaries = await services.store.listCanaries(site.id, {
      limit: limitParam(c, 50),
      beforeSeq: optionalNumber(c, 'before'),
    });
    return c.json({ canaries: canaries.map(canaryView) });
  });
  app.get('/api/v1/sites/:id/observations', async (c) => {
    const site = findSite(c.req.param('id'));
    const observations = await services.store.listObservations(site.id, {
      limit: limitParam(c, 100),
      vantage: c.req.query('vantage') || undefined,
      before: optionalNumber(c, 'before'),
      since: optionalNumber(c, 'since'),
    });
    return c.json({ observations });
  });
  registerScreenshotRoutes(app, services);
  app.post('/api/v1/sites/:id/canaries', admin, async (c) => {
    const site = findSite(c.req.param('id'));
    const canary = await services.requestCanary(site.id, 'manual');
    c.header('Location', `/api/v1/sites/${encodeURIComponent(site.id)}/canaries?limit=1`);
    return c.json(canaryView(canary), 202);
  });

  app.post('/api/v1/sites/:id/deploys', admin, async (c) => {
    const site = findSite(c.req.param('id'));
    const canary = await services.registerDeploy(site.id, await deployInput(c));
    c.header('Location', `/api/v1/sites/${encodeURIComponent(site.id)}/canaries?limit=1`);
    return c.json(canaryView(canary), 202);
  });
  incidentRoutes(app, services.store, admin, () => services.clock.now());
  // Reload (admin), /metrics, /api/v1/monitor.
  registerOpsRoutes(app, services, admin, () => services.clock.now());
  // Remote vantages: GET /api/v1/agent/sites, POST /api/v1/agent/observations.
  registerAgentRoutes(app, services);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => onError(error, c, services.log));
  return app;
}

/** One place that maps typed errors to HTTP. Internal details never leak to clients. */
function onError(error: Error, c: Context, log: Logger) {
  if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
  if (error instanceof AuthError) {
    c.header('WWW-Authenticate', 'Bearer');
    return c.json({ error: error.message }, 401);
  }
  if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
  if (error instanceof ConfigError)
    return c.json({ error: 'invalid config', problems: error.problems }, 400);
  const retryable = error instanceof FreshprobeError && error.retryable;
  log.error({ event: 'http.error', path: c.req.path, error: error.message });
  if (retryable) c.header('Retry-After', '5');
  return c.json({ error: 'internal error' }, retryable ? 503 : 500);
}
