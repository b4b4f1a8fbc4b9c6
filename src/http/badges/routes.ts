/**
 * GET /badge/:id/{status,latency,freshness,age}.{svg,json}. Badges are hot
 * (every docs page view), so each rendered badge is kept per site, kind and
 * format, and rebuilt only when the data it came from was refreshed; the
 * strong ETag comes from the content, so an unchanged badge answers 304.
 * `Cache-Control: no-cache` makes caches (GitHub's camo too) revalidate.
 */
import type { Context, Hono } from 'hono';
import { etagMatches, strongEtag } from '../etag.js';
import { alreadySecured, securityHeaderValues } from '../security.js';
import type { StatusData } from '../status-data.js';
import {
  BADGE_KINDS,
  type BadgeKind,
  badgeContent,
  NEEDS_STATS,
  unknownBadge,
} from './messages.js';
import { type BadgeContent, renderBadge } from './svg.js';

type Format = 'svg' | 'json';

interface Rendered {
  /** The data it was built from; a different object means rebuild. */
  source: unknown;
  status: 200 | 404;
  headers: Record<string, string>;
  body: string;
  etag: string;
}

const FILE = new RegExp(`^(${BADGE_KINDS.join('|')})\\.(svg|json)$`);

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
  return {
    source,
    status,
    body,
    etag,
    headers: {
      'Content-Type': TYPES[format],
      'Cache-Control': 'no-cache',
      ETag: etag,
      ...securityHeaderValues(TYPES[format]),
    },
  };
}

export class BadgeCache {
  private readonly entries = new Map<string, Rendered>();

  constructor(private readonly data: StatusData) {}

  async get(siteId: string, kind: BadgeKind, format: Format): Promise<Rendered> {
    const snap = await this.data.site(siteId);
    const site = snap?.value;
    const stats = site && NEEDS_STATS.has(kind) ? await this.data.siteStats(site.spec) : undefined;
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
  if (r.status === 200 && etagMatches(c.req.header('if-none-match'), r.etag)) {
    const { 'Content-Security-Policy': _csp, 'Content-Type': _type, ...headers } = r.headers;
    return alreadySecured(new Response(null, { status: 304, headers }));
  }
  return alreadySecured(new Response(r.body, { status: r.status, headers: r.headers }));
}

export function registerBadgeRoutes(app: Hono, data: StatusData): void {
  const cache = new BadgeCache(data);
  app.get('/badge/:id/:file', async (c) => {
    const m = FILE.exec(c.req.param('file'));
    if (!m) return c.json({ error: 'not found' }, 404);
    const rendered = await cache.get(c.req.param('id'), m[1] as BadgeKind, m[2] as Format);
    return respond(c, rendered);
  });
}
