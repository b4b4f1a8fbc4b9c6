/**
 * The server-rendered status pages, without a browser: states in words, the
 * 90-day bar (no data is never green), grouping, escaping, security headers,
 * self-hosted assets with long caching, and the Atom feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../src/http/security.js';
import {
  BAD_DAYS,
  type Fixture,
  GAP_DAYS,
  NOW,
  seededStatusApp,
  XSS_GROUP,
  XSS_NAME,
} from './fixture.js';
import { bulkWriter } from './seed-bulk.js';
import { seedHistory, siteSpec } from './seed-history.js';
import { statusApp } from './status-server.js';

let f: Fixture;
let index: string;
beforeAll(async () => {
  f = await seededStatusApp({ perDay: 6 });
  index = await (await f.app.request('/')).text();
}, 90_000);
afterAll(() => f.close());

/** The <li> of one site on the index. */
function row(html: string, id: string): string {
  const start = html.indexOf(`<a href="/sites/${id}">`);
  return html.slice(html.lastIndexOf('<li', start), html.indexOf('</li>', start));
}

function cells(html: string): Array<{ cls: string; title: string }> {
  return [...html.matchAll(/<i class="(\w+)" title="([^"]*)"><\/i>/g)].map((m) => ({
    cls: m[1]!,
    title: m[2]!,
  }));
}

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);

describe('GET /', () => {
  it('shows the overall state like Statuspage, and every site grouped as configured', () => {
    expect(index).toContain('<h2 id="overall">Major outage</h2>');
    const groups = [...index.matchAll(/<h2 id="group-\d+">([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(groups).toEqual([
      'Docs',
      'Shops',
      'Other sites',
      '&quot;&gt;&lt;svg onload=&quot;window.pwned=3&quot;&gt;',
    ]);
    expect(index).toContain('Open incidents');
  });

  it('says each state in words: what, where and since when', async () => {
    const served = (await f.store.getCanary(
      'blog',
      (await f.store.listCanaries('blog', { limit: 1 }))[0]!.seq - 1,
    ))!;
    expect(row(index, 'docs')).toContain('<p class="state">Fresh</p>');
    expect(row(index, 'blog')).toContain(
      `Stale for 14 min: 2 of 3 nodes serve content from ${hhmm(served.deployedAt!)}`,
    );
    expect(row(index, 'shop')).toContain(`404 since ${hhmm(NOW - 40 * 60_000)}`);
    expect(row(index, 'edge-err')).toContain(
      `Error since ${hhmm(NOW - 25 * 60_000)}: http 5xx at 1 of 5 vantages`,
    );
    expect(row(index, 'api')).toContain(`Monitoring data stale since ${hhmm(NOW - 47 * 60_000)}`);
    expect(row(index, 'paused')).toContain('Paused');
    expect(row(index, 'docs')).toMatch(/#\d+ visible after 45\.0 s \(39\.0–46\.3 s\)/);
    expect(row(index, 'api')).toContain('class="t-unknown"');
  });

  it('draws 90 days per site; days without data are grey with a tooltip, never green', () => {
    const docs = cells(row(index, 'docs'));
    expect(docs).toHaveLength(90);
    for (const back of GAP_DAYS) {
      const cell = docs[89 - back]!;
      expect(cell.cls).toBe('nd');
      expect(cell.title).toMatch(/^\d{4}-\d\d-\d\d: no data$/);
    }
    for (const back of BAD_DAYS) expect(docs[89 - back]!.cls).not.toBe('g4');
    expect(docs.filter((c) => c.cls === 'g4').length).toBeGreaterThan(50);
    expect(docs[89]!.title).toMatch(/^2026-11-26: \d+ of \d+ canaries visible within 5 min/);
    expect(row(index, 'docs')).toMatch(
      /aria-label="Product docs, freshness per day\. 90 days: \d+ met the SLO/,
    );
  });

  it('reads grey, not green, when the only problem is a silent monitor', async () => {
    const spec = siteSpec('quiet');
    const app = await statusApp([spec], { now: () => NOW, assets: false });
    await seedHistory(app.store, [{ spec, scenario: 'no_data' }], {
      now: NOW,
      days: 3,
      canariesPerDay: 2,
    });
    const html = await (await app.app.request('/')).text();
    expect(html).toContain('class="banner b-no_data"');
    expect(html).toContain('Monitoring data stale: status unknown');
    expect(html).not.toContain('All systems operational');
    app.close();
  });

  it('switches to one cached image per bar when there are many sites, and stays small', async () => {
    const specs = Array.from({ length: 31 }, (_, i) => siteSpec(`s${i}`));
    const app = await statusApp(specs, { now: () => NOW, assets: false });
    await seedHistory(
      app.store,
      specs.map((spec) => ({ spec, scenario: 'fresh' as const })),
      { now: NOW, days: 2, canariesPerDay: 1 },
    );
    const html = await (await app.app.request('/')).text();
    expect(html).toContain('<img src="/sites/s0/bar.svg" alt="90 days: ');
    expect(cells(html)).toEqual([]);
    const svg = await app.app.request('/sites/s0/bar.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect((await svg.text()).match(/<rect /g)).toHaveLength(90);
    app.close();
  });

  it('keeps a page of 1,000 sites under 300 KB', async () => {
    const specs = Array.from({ length: 1000 }, (_, i) =>
      siteSpec(`site-${String(i).padStart(4, '0')}`, {
        name: `Site ${String(i).padStart(4, '0')}`,
        group: `Group ${i % 20}`,
        probe: { vantages: ['edge', 'origin'], interval: 60_000 },
      }),
    );
    const app = await statusApp(specs, { now: () => NOW, assets: false });
    app.handle.sqlite.exec('BEGIN');
    await seedHistory(
      app.store,
      specs.map((spec) => ({ spec, scenario: 'fresh' as const })),
      { now: NOW, days: 1, canariesPerDay: 1, writer: bulkWriter(app.handle.sqlite) },
    );
    app.handle.sqlite.exec('COMMIT');
    const html = await (await app.app.request('/')).text();
    expect(html.match(/<li class="t-ok">/g)).toHaveLength(1000);
    expect(Buffer.byteLength(html)).toBeLessThan(300 * 1024);
    app.close();
  }, 60_000);

  it('keeps names from config inert: escaped text, no markup', () => {
    expect(index).not.toContain(XSS_NAME);
    expect(index).not.toContain(XSS_GROUP);
    expect(index).not.toMatch(/<script>window|<img src=x|<svg onload/);
    expect(index).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
  });

  it('has no inline script or style, and sends the security headers', async () => {
    const res = await f.app.request('/');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)/);
    expect(index).not.toMatch(/\sstyle=|<style/);
    expect(index).toContain(`Rendered <time datetime="${new Date(NOW).toISOString()}"`);
  });
});

describe('GET /sites/:id', () => {
  it('shows state, meaning, runbook, figures, chart data with its table, vantages, canaries, incidents, badges', async () => {
    const res = await f.app.request('/sites/blog');
    const html = await res.text();
    expect(html).toContain(
      '<h2 id="state" class="state">Stale for 14 min: 2 of 3 nodes serve content from',
    );
    expect(html).toContain('a CDN kept a stale object');
    expect(html).toContain('<a href="https://wiki.example.com/runbooks/blog">open the runbook</a>');
    const json = /<script type="application\/json" id="latency-data">(.*?)<\/script>/s.exec(
      html,
    )![1]!;
    const chart = JSON.parse(json) as { points: unknown[]; p95: unknown[] };
    expect(chart.points.length).toBeGreaterThan(30);
    expect(chart.p95).toHaveLength(chart.points.length);
    expect(html).toContain('Latency by day (table)');
    expect(html.match(/<th scope="row">node:10\.0\.0\.\d<\/th>/g)).toHaveLength(3);
    expect(html).toContain('Visible within SLO');
    expect(html).toContain(`id="incident-`);
    expect(html).toContain(
      '[![Blog: status](http://localhost/badge/blog/status.svg)](http://localhost/sites/blog)',
    );
    expect(html).not.toContain('internal note');
  });

  it('escapes hostile names in snippets and headings', async () => {
    const html = await (await f.app.request('/sites/xss')).text();
    expect(html).not.toMatch(/<script>window|<img src=x|<svg onload/);
    expect(html).toContain('&lt;img src=x onerror=');
  });

  it('answers an unknown site with a 404 page', async () => {
    const res = await f.app.request('/sites/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('No such site');
  });
});

describe('assets and feed', () => {
  it('serves hashed assets for a year, with ETag and 304', async () => {
    const css = /href="(\/assets\/style-[\w]+\.css)"/.exec(index)![1]!;
    const js = /src="(\/assets\/app-[\w]+\.js)"/.exec(index)![1]!;
    for (const path of [css, js]) {
      const res = await f.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const again = await f.app.request(path, {
        headers: { 'If-None-Match': res.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    }
    expect((await f.app.request('/assets/nope.js')).status).toBe(404);
  });

  it('lists incidents as Atom', async () => {
    const res = await f.app.request('/feed.atom');
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await res.text();
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
    );
    expect(xml.match(/<entry>/g)).toHaveLength(4);
    expect(xml).toContain('<title>[Resolved] Product docs: ');
    expect(xml).not.toContain('internal note');
  });
});
