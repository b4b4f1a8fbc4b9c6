/**
 * Where the browser vantage's failure screenshots go: the store keeps the newest few per site,
 * and the API lists them and serves each PNG as an immutable image. No Chromium needed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteSpec } from '../../src/core/site.js';
import { SCREENSHOTS_KEPT } from '../../src/core/store.js';
import { type StatusApp, statusApp } from '../http/status-server.js';

const spec: SiteSpec = {
  id: 'docs',
  name: 'Docs',
  url: 'https://docs.example.com/',
  canary: { path: '/freshprobe/canary.html', format: 'html' },
  probe: { vantages: ['edge', 'browser'], interval: 60_000 },
  timeout: 1_800_000,
  slo: { threshold: 300_000, target: 0.99, window: 28 * 86_400_000 },
};

/** Not a real PNG: the store and routes treat the bytes as opaque. */
const png = (n: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, n % 256, 7, 7]);

let app: StatusApp | undefined;
afterEach(() => {
  app?.close();
  app = undefined;
});

describe('screenshot storage', () => {
  it(`keeps the newest ${SCREENSHOTS_KEPT} per site, newest first`, async () => {
    app = await statusApp([spec], { assets: false });
    const { store } = app;
    const base = 1_777_000_000_000;
    for (let i = 0; i < SCREENSHOTS_KEPT + 5; i += 1) {
      await store.saveScreenshot('docs', 'browser', base + i * 1000, png(i));
    }
    await store.saveScreenshot('other', 'browser', base, png(99));
    // A replayed save changes nothing.
    await store.saveScreenshot('docs', 'browser', base + 24_000, png(0));

    const list = await store.listScreenshots('docs', 100);
    expect(list).toHaveLength(SCREENSHOTS_KEPT);
    expect(list[0]).toEqual({
      siteId: 'docs',
      vantage: 'browser',
      takenAt: base + 24_000,
      bytes: 7,
    });
    expect(list.at(-1)?.takenAt).toBe(base + 5_000);
    expect(await store.getScreenshot('docs', base + 24_000)).toEqual(png(24));
    expect(await store.getScreenshot('docs', base + 4_000)).toBeUndefined(); // pruned
    expect(await store.listScreenshots('other', 100)).toHaveLength(1);
    expect(await store.listScreenshots('docs', 3)).toHaveLength(3);
  });
});

describe('screenshot routes', () => {
  it('lists a site screenshots and serves each PNG as immutable', async () => {
    app = await statusApp([spec], { assets: false });
    await app.store.saveScreenshot('docs', 'browser', 1_777_000_000_000, png(1));
    await app.store.saveScreenshot('docs', 'browser', 1_777_000_060_000, png(2));

    const res = await app.app.request('/api/v1/sites/docs/screenshots');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { screenshots: { takenAt: number; url: string }[] };
    expect(body.screenshots).toEqual([
      {
        vantage: 'browser',
        takenAt: 1_777_000_060_000,
        bytes: 7,
        url: '/api/v1/sites/docs/screenshots/1777000060000.png?vantage=browser',
      },
      {
        vantage: 'browser',
        takenAt: 1_777_000_000_000,
        bytes: 7,
        url: '/api/v1/sites/docs/screenshots/1777000000000.png?vantage=browser',
      },
    ]);

    const image = await app.app.request(body.screenshots[0]!.url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png(2));
    // Without the vantage it still finds the one taken at that instant.
    const bare = await app.app.request('/api/v1/sites/docs/screenshots/1777000000000.png');
    expect(new Uint8Array(await bare.arrayBuffer())).toEqual(png(1));
  });

  it('answers 404 for unknown sites, instants and names', async () => {
    app = await statusApp([spec], { assets: false });
    const paths = [
      '/api/v1/sites/nope/screenshots',
      '/api/v1/sites/docs/screenshots/123.png',
      '/api/v1/sites/docs/screenshots/abc.png',
      '/api/v1/sites/nope/screenshots/123.png',
    ];
    for (const path of paths) expect((await app.app.request(path)).status, path).toBe(404);
    const empty = await app.app.request('/api/v1/sites/docs/screenshots');
    expect(await empty.json()).toEqual({ screenshots: [] });
  });
});
