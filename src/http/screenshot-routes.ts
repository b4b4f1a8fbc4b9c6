/**
 * Failure screenshots of the browser vantage: a list per site and the PNGs themselves. A PNG
 * never changes once taken (its URL names the instant), so it is cached as immutable.
 */
import type { Hono } from 'hono';
import { NotFoundError } from '../core/errors.js';
import type { SiteSpec } from '../core/site.js';
import { type FullStore, SCREENSHOTS_KEPT, type ScreenshotInfo } from '../core/store.js';

export interface ScreenshotServices {
  store: FullStore;
  sites(): SiteSpec[];
}

/** Where one screenshot is served; the vantage disambiguates two taken in the same ms. */
export function screenshotUrl(s: ScreenshotInfo): string {
  const site = encodeURIComponent(s.siteId);
  const vantage = encodeURIComponent(s.vantage);
  return `/api/v1/sites/${site}/screenshots/${s.takenAt}.png?vantage=${vantage}`;
}

export function registerScreenshotRoutes(app: Hono, services: ScreenshotServices): void {
  const siteOf = (id: string): SiteSpec => {
    const site = services.sites().find((s) => s.id === id);
    if (!site) throw new NotFoundError(`no site with id "${id}"`);
    return site;
  };

  app.get('/api/v1/sites/:id/screenshots', async (c) => {
    const site = siteOf(c.req.param('id'));
    const list = await services.store.listScreenshots(site.id, SCREENSHOTS_KEPT);
    const screenshots = list.map((s) => ({
      vantage: s.vantage,
      takenAt: s.takenAt,
      bytes: s.bytes,
      url: screenshotUrl(s),
    }));
    return c.json({ screenshots });
  });

  app.get('/api/v1/sites/:id/screenshots/:file{[0-9]+\\.png}', async (c) => {
    const site = siteOf(c.req.param('id'));
    const takenAt = Number(c.req.param('file').slice(0, -'.png'.length));
    const vantage = c.req.query('vantage') || undefined;
    const png = await services.store.getScreenshot(site.id, takenAt, vantage);
    if (!png) throw new NotFoundError(`no screenshot of "${site.id}" taken at ${takenAt}`);
    c.header('Content-Type', 'image/png');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(png as Uint8Array<ArrayBuffer>);
  });
}
