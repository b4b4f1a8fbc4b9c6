/**
 * GET /badge/:id/{status,latency,freshness,age}.{svg,json}. Badges are hot
 * (every docs page view), so each rendered badge is kept per site, kind and
 * format, and rebuilt only when the data it came from was refreshed; the
 * strong ETag comes from the content, so an unchanged badge answers 304.
 * `Cache-Control: no-cache` makes caches (GitHub's camo too) revalidate.
 *
 * The Hono route is the one source of truth (and all there is on Workers).
 * On Node, peekBadge answers the same requests before Hono is involved
 * (runtime/listen.node.ts), from the same cache and the same answer(), when
 * the data is already in memory; otherwise the request goes to the route.
 */
import type { Context, Hono } from 'hono';
import { etagMatches, strongEtag } from '../etag.js';
import type { Stamped } from '../refreshing.js';
import { alreadySecured, securityHeaderValues } from '../security.js';
import type { SiteStats } from '../site-stats.js';
import type { SiteSnapshot, StatusData } from '../status-data.js';
import {
  BADGE_KINDS,
  type BadgeKind,
  badgeContent,
  NEEDS_STATS,
  unknownBadge,
} from './messages.js';
import { type BadgeContent, renderBadge } from './svg.js';

type Format = 'svg' | 'json';

/** What a badge request gets; both the Hono route and the Node fast path send exactly this. */
export interface BadgeAnswer {
  status: 200 | 304 | 404;
  headers: Readonly<Record<string, string>>;
  body: string | null;
}

interface Rendered extends BadgeAnswer {
  /** The data it was built from; a different object means rebuild. */
  source: unknown;
  status: 200 | 404;
  body: string;
  etag: string;
  /** The 304's headers, built once rather than per revalidation. */
  notModified: BadgeAnswer;
}

const FILE = new RegExp(`^(${BADGE_KINDS.join('|')})\\.(svg|json)$`);

/**
 * A request target the route surely gets with this id and file: ids as the config allows them
 * (so nothing to percent-decode and no dot segment), any query (the route reads none).
 */
const TARGET = new RegExp(
  `^/badge/([a-z0-9][a-z0-9_-]{0,62})/((?:${BADGE_KINDS.join('|')})\\.(?:svg|json))(?:\\?.*)?$`,
);

const TYPES: Record<Format, string> = {
  svg: 'image/svg+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The shields endpoint schema: exactly these keys, nothing unknown. */
export function endpointJson(b: BadgeContent): string {
  return JSON.stringify({
    schemaVersion: 1,
    label: b.label,
    message: b.message,
    color: b.color,
    cacheSeconds: 300,
  });
}

function render(b: BadgeContent, format: Format, status: 200 | 404, source: unknown): Rendered {
  const body = format === 'svg' ? renderBadge(b) : endpointJson(b);
  const etag = strongEtag(body);
  const headers: Record<string, string> = {
    'Content-Type': TYPES[format],
    'Cache-Control': 'no-cache',
    ETag: etag,
    ...securityHeaderValues(TYPES[format]),
  };
  // A 304 refreshes the cached response's headers; it has no body to type or to confine.
  const { 'Content-Security-Policy': _csp, 'Content-Type': _type, ...kept } = headers;
  return {
    source,
    status,
    body,
    etag,
    headers,
    notModified: { status: 304, headers: kept, body: null },
  };
}

function answer(r: Rendered, ifNoneMatch: string | undefined): BadgeAnswer {
  return r.status === 200 && etagMatches(ifNoneMatch, r.etag) ? r.notModified : r;
}

export class BadgeCache {
  private readonly entries = new Map<string, Rendered>();

  constructor(private readonly data: StatusData) {}

  async get(siteId: string, kind: BadgeKind, format: Format): Promise<Rendered> {
    const snap = await this.data.site(siteId);
    const site = snap?.value;
    const stats = site && NEEDS_STATS.has(kind) ? await this.data.siteStats(site.spec) : undefined;
    return this.rendered(siteId, kind, format, snap, stats);
  }

  /** As get(), without waiting: undefined when the data must be loaded (get() does that). */
  peek(siteId: string, kind: BadgeKind, format: Format): Rendered | undefined {
    if (!this.data.spec(siteId)) return this.rendered(siteId, kind, format, undefined, undefined);
    const snap = this.data.peekSite(siteId);
    if (!snap) return undefined;
    if (!NEEDS_STATS.has(kind)) return this.rendered(siteId, kind, format, snap, undefined);
    const stats = this.data.peekSiteStats(snap.value.spec);
    return stats && this.rendered(siteId, kind, format, snap, stats);
  }

  private rendered(
    siteId: string,
    kind: BadgeKind,
    format: Format,
    snap: Stamped<SiteSnapshot> | undefined,
    stats: Stamped<SiteStats> | undefined,
  ): Rendered {
    const site = snap?.value;
    const source = stats ?? snap;
    const key = `${siteId}\u0000${kind}\u0000${format}`;
    const cached = this.entries.get(key);
    if (cached && cached.source === source) return cached;
    const content = site ? badgeContent(kind, site, stats?.value) : unknownBadge(kind);
    // Unknown ids are cached too, so probing random ids stays cheap; bounded.
    if (!site && this.entries.size > 10_000) this.entries.clear();
    const rendered = render(content, format, site ? 200 : 404, source);
    this.entries.set(key, rendered);
    return rendered;
  }
}

function respond(c: Context, r: Rendered): Response {
  const a = answer(r, c.req.header('if-none-match'));
  return alreadySecured(new Response(a.body, { status: a.status, headers: a.headers }));
}

/**
 * The badge for a GET of `target` (path and query, as sent) if it can be answered now from
 * memory, else undefined. `ifNoneMatch` is the request's If-None-Match header.
 */
export type PeekBadge = (
  target: string,
  ifNoneMatch: string | undefined,
) => BadgeAnswer | undefined;

export function registerBadgeRoutes(app: Hono, data: StatusData): PeekBadge {
  const cache = new BadgeCache(data);
  app.get('/badge/:id/:file', async (c) => {
    const m = FILE.exec(c.req.param('file'));
    if (!m) return c.json({ error: 'not found' }, 404);
    const id = c.req.param('id');
    const kind = m[1] as BadgeKind;
    const format = m[2] as Format;
    // From memory when it can be (no awaits), as the Node fast path does; else load.
    const rendered = cache.peek(id, kind, format) ?? (await cache.get(id, kind, format));
    return respond(c, rendered);
  });
  return (target, ifNoneMatch) => {
    const t = TARGET.exec(target);
    const m = t && FILE.exec(t[2]!);
    const rendered = m && cache.peek(t[1]!, m[1] as BadgeKind, m[2] as Format);
    return rendered ? answer(rendered, ifNoneMatch) : undefined;
  };
}
