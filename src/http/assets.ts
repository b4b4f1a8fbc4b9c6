/**
 * Self-hosted web assets (CSS, the chart script, the icon) under /assets/.
 * Names carry a content hash (web/build.ts), so a file never changes under
 * its name: browsers may keep it for a year without asking again. The files
 * come in as bytes; how they are loaded is the runtime's business.
 */
import type { Hono } from 'hono';
import { etagMatches, strongEtag } from './etag.js';
import type { PageAssets } from './status-page/layout.js';

export interface WebAsset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

export interface WebAssets {
  /** Public path of a logical asset (`app.js` → `/assets/app-3F2AB1C9.js`), when built. */
  url(logical: string): string | undefined;
  file(name: string): WebAsset | undefined;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

export function contentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/** `manifest` maps logical names to hashed file names; `files` holds every file by hashed name. */
export function createWebAssets(
  manifest: Record<string, string>,
  files: Map<string, Uint8Array>,
): WebAssets {
  const assets = new Map<string, WebAsset>();
  for (const [name, body] of files) {
    // The name already carries a content hash; the ETag only serves revalidation after a year.
    // A copy into a plain ArrayBuffer: what Response bodies accept on every runtime.
    assets.set(name, {
      body: new Uint8Array(body),
      type: contentType(name),
      etag: strongEtag(name),
    });
  }
  return {
    url: (logical) => {
      const file = manifest[logical];
      return file && assets.has(file) ? `/assets/${file}` : undefined;
    },
    file: (name) => assets.get(name),
  };
}

export function pageAssets(assets: WebAssets | undefined): PageAssets {
  if (!assets) return {};
  return {
    css: assets.url('style.css'),
    js: assets.url('app.js'),
    icon: assets.url('favicon.svg'),
  };
}

export function registerAssetRoutes(app: Hono, assets: WebAssets | undefined): void {
  app.get('/assets/:name', (c) => {
    const asset = assets?.file(c.req.param('name'));
    if (!asset) return c.json({ error: 'not found' }, 404);
    const headers = {
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: asset.etag,
    };
    if (etagMatches(c.req.header('if-none-match'), asset.etag))
      return new Response(null, { status: 304, headers });
    return new Response(asset.body, { headers: { ...headers, 'Content-Type': asset.type } });
  });
}
