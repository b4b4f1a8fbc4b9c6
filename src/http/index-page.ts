/**
 * GET /: the status index. The rendered page is reused until its data is
 * refreshed (state at most STATE_MAX_AGE_MS old; the footer says when it was
 * rendered), so a thousand sites cost one render per refresh, not per request.
 */
import type { Hono } from 'hono';
import { pageAssets, type WebAssets } from './assets.js';
import { HTML, RenderCache, sendRendered } from './page-response.js';
import type { StatusData } from './status-data.js';
import { STATE_MAX_AGE_MS } from './status-data.js';
import { indexDocument } from './status-page/documents.js';

/** Kept here too: the CLI's `canary` and `verify` commands format latencies with it. */
export { formatMs } from './format.js';

export interface IndexDeps {
  data: StatusData;
  assets?: WebAssets;
  demo: boolean;
}

export function registerIndexPage(app: Hono, deps: IndexDeps): void {
  const cache = new RenderCache();
  const options = {
    assets: pageAssets(deps.assets),
    demo: deps.demo,
    cacheNote: `shows state at most ${STATE_MAX_AGE_MS / 1000} s old`,
  };
  app.get('/', async (c) => {
    const [snap, bars, incidents] = await Promise.all([
      deps.data.snapshot(),
      deps.data.bars(),
      deps.data.incidents(),
    ]);
    const rendered = await cache.get([snap, bars, incidents], () =>
      indexDocument(
        { sites: snap.value.sites, bars: bars.value, open: incidents.value.open, now: snap.at },
        options,
      ),
    );
    return sendRendered(c, rendered, HTML);
  });
}
