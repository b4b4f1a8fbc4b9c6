/**
 * GET /sites/:id (the site page) and GET /sites/:id/bar.svg (its 90-day bar
 * as an image, used by indexes with many sites).
 */
import type { Context, Hono } from 'hono';
import type { FullStore } from '../core/store.js';
import { DAY_MS } from '../core/time.js';
import { pageAssets, type WebAssets } from './assets.js';
import { strongEtag } from './etag.js';
import { HTML, RenderCache, type Rendered, sendRendered } from './page-response.js';
import { chartData } from './site-stats.js';
import type { StatusData } from './status-data.js';
import { barSvg } from './status-page/bar.js';
import { makeBar } from './status-page/days.js';
import { notFoundDocument, siteDocument } from './status-page/documents.js';
import { canaryView } from './views.js';

export const CHART_DAYS = 7;
export const RECENT_CANARIES = 20;
export const SITE_INCIDENTS = 20;

export interface SitePageDeps {
  data: StatusData;
  store: FullStore;
  assets?: WebAssets;
  demo: boolean;
  baseUrl(c: Context): string;
  now(): number;
}

async function renderSite(c: Context, deps: SitePageDeps, id: string): Promise<Response> {
  const options = { assets: pageAssets(deps.assets), demo: deps.demo };
  const entry = deps.data.site(id);
  if (!entry) {
    const body = await notFoundDocument(id, deps.now(), options);
    return sendRendered(c, { body, etag: '"404"' }, HTML, 'no-cache', 404);
  }
  const { value: site, at: now } = await entry;
  const { spec } = site;
  const [bars, stats, chartCanaries, recent, incidents] = await Promise.all([
    deps.data.bars(),
    deps.data.siteStats(spec),
    deps.store.canariesSince(id, now - CHART_DAYS * DAY_MS),
    deps.store.listCanaries(id, { limit: RECENT_CANARIES }),
    deps.store.listIncidents({ siteId: id, limit: SITE_INCIDENTS }),
  ]);
  const body = await siteDocument(
    {
      site,
      stats: stats.value,
      chart: chartData(chartCanaries, spec.slo.threshold, spec.timeout),
      chartDays: CHART_DAYS,
      canaries: recent.map(canaryView),
      bar: bars.value.get(id) ?? makeBar(undefined, now),
      incidents,
      now,
      baseUrl: deps.baseUrl(c),
    },
    options,
  );
  return sendRendered(c, { body, etag: strongEtag(body) }, HTML);
}

export function registerSitePages(app: Hono, deps: SitePageDeps): void {
  const svgs = new Map<string, RenderCache>();
  app.get('/sites/:id', (c) => renderSite(c, deps, c.req.param('id')));
  app.get('/sites/:id/bar.svg', async (c) => {
    const id = c.req.param('id');
    if (!deps.data.spec(id)) return c.json({ error: `no site with id "${id}"` }, 404);
    const bars = await deps.data.bars();
    const cache = svgs.get(id) ?? new RenderCache();
    svgs.set(id, cache);
    const rendered: Rendered = await cache.get([bars], async () =>
      barSvg(bars.value.get(id) ?? makeBar(undefined, bars.at)),
    );
    return sendRendered(c, rendered, 'image/svg+xml; charset=utf-8', 'public, max-age=300');
  });
}
