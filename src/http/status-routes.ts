/**
 * The public status surface, registered by createApp: the status page and
 * site pages, self-hosted assets, badges, the Statuspage v2 API and the Atom
 * feed. They share one StatusData, so a thousand sites are loaded once per
 * refresh however many pages, badges and API calls read them.
 */
import type { Context, Hono } from 'hono';
import type { Clock } from '../core/ports.js';
import type { SiteSpec } from '../core/site.js';
import type { FullStore } from '../core/store.js';
import { registerAssetRoutes, type WebAssets } from './assets.js';
import { type PeekBadge, registerBadgeRoutes } from './badges/routes.js';
import { registerFeed } from './feed.js';
import { registerIndexPage } from './index-page.js';
import { registerSitePages } from './site-page.js';
import { StatusData } from './status-data.js';
import { registerStatuspageApi } from './statuspage-api.js';

export interface StatusServices {
  store: FullStore;
  clock: Clock;
  publicUrl?: string;
  sites(): SiteSpec[];
  demo?: boolean;
  assets?: WebAssets;
  /** Longest a status snapshot is reused, ms (tests use 0 to see every write at once). */
  stateMaxAgeMs?: number;
}

export function baseUrlOf(publicUrl: string | undefined): (c: Context) => string {
  const configured = publicUrl?.replace(/\/+$/, '');
  return (c) => configured ?? new URL(c.req.url).origin;
}

export interface StatusRoutes {
  data: StatusData;
  /** Badges answered from memory, for the Node fast path (fast-path.ts). */
  peekBadge: PeekBadge;
}

export function registerStatusRoutes(app: Hono, services: StatusServices): StatusRoutes {
  const data = new StatusData(services, services.stateMaxAgeMs);
  const baseUrl = baseUrlOf(services.publicUrl);
  const demo = services.demo ?? false;
  registerAssetRoutes(app, services.assets);
  registerIndexPage(app, { data, assets: services.assets, demo });
  registerSitePages(app, {
    data,
    store: services.store,
    assets: services.assets,
    demo,
    baseUrl,
    now: () => services.clock.now(),
  });
  const peekBadge = registerBadgeRoutes(app, data);
  registerStatuspageApi(app, data, (c) => {
    const url = baseUrl(c);
    return { baseUrl: url, pageName: services.publicUrl ? new URL(url).host : 'freshprobe' };
  });
  registerFeed(app, data, baseUrl);
  return { data, peekBadge };
}
