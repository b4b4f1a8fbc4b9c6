/**
 * Badges: shields endpoint JSON follows shields' schema rules (schemaVersion 1,
 * string label and message, a known colour, cacheSeconds >= 300, no unknown
 * key), SVGs are sized from the Verdana 11px table and escape their text, and
 * caching is honest (no-cache, strong ETag, 304, rebuilt when state changes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORS, renderBadge } from '../../src/http/badges/svg.js';
import { badgeTextWidth, textWidth } from '../../src/http/badges/widths.js';
import { type Fixture, seededStatusApp } from './fixture.js';

const SHIELDS_KEYS = new Set([
  'schemaVersion',
  'label',
  'message',
  'color',
  'labelColor',
  'isError',
  'namedLogo',
  'logoSvg',
  'logoColor',
  'logoWidth',
  'style',
  'cacheSeconds',
]);
const KINDS = ['status', 'latency', 'freshness', 'age'];

let f: Fixture;
beforeAll(async () => {
  f = await seededStatusApp({ assets: false, perDay: 6 });
}, 60_000);
afterAll(() => f.close());

function checkEndpoint(body: Record<string, unknown>): void {
  for (const key of Object.keys(body))
    expect(SHIELDS_KEYS.has(key), `unknown key ${key}`).toBe(true);
  expect(body.schemaVersion).toBe(1);
  expect(typeof body.label).toBe('string');
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  expect(Object.keys(COLORS)).toContain(body.color);
  expect(Number.isInteger(body.cacheSeconds)).toBe(true);
  expect(body.cacheSeconds as number).toBeGreaterThanOrEqual(300);
}

describe('badges', () => {
  it('serve shields endpoint JSON by the schema, for every kind and state', async () => {
    for (const id of ['docs', 'blog', 'shop', 'edge-err', 'api', 'paused', 'xss']) {
      for (const kind of KINDS) {
        const res = await f.app.request(`/badge/${id}/${kind}.json`);
        expect(res.status).toBe(200);
        checkEndpoint((await res.json()) as Record<string, unknown>);
      }
    }
  });

  it('say what each state is, in words, and grey when nothing is known', async () => {
    const message = async (id: string, kind: string) =>
      (await (await f.app.request(`/badge/${id}/${kind}.json`)).json()) as {
        message: string;
        color: string;
      };
    expect(await message('docs', 'status')).toMatchObject({
      message: 'fresh',
      color: 'brightgreen',
    });
    expect(await message('blog', 'status')).toMatchObject({
      message: 'stale 14m 2/5',
      color: 'orange',
    });
    expect(await message('blog', 'age')).toMatchObject({ message: '14m behind', color: 'orange' });
    expect(await message('shop', 'status')).toMatchObject({ message: '404', color: 'red' });
    expect(await message('edge-err', 'status')).toMatchObject({
      message: 'error 1/5',
      color: 'red',
    });
    expect(await message('api', 'status')).toMatchObject({
      message: 'no data',
      color: 'lightgrey',
    });
    expect(await message('api', 'age')).toMatchObject({ message: 'unknown', color: 'lightgrey' });
    expect(await message('paused', 'status')).toMatchObject({
      message: 'paused',
      color: 'lightgrey',
    });
    expect((await message('docs', 'freshness')).message).toMatch(/^\d{1,3}\.\d\d%$/);
    expect((await message('docs', 'latency')).message).toMatch(/^(\d+(\.\d)?(ms|s)|\d+m|> \d+m)$/);
  });

  it('answer an unknown site with a grey "unknown" badge and 404', async () => {
    const svg = await f.app.request('/badge/nope/status.svg');
    expect(svg.status).toBe(404);
    expect(await svg.text()).toContain('status: unknown');
    const json = await f.app.request('/badge/nope/latency.json');
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({
      schemaVersion: 1,
      label: 'latency p95',
      message: 'unknown',
      color: 'lightgrey',
      cacheSeconds: 300,
    });
    expect((await f.app.request('/badge/docs/bogus.svg')).status).toBe(404);
  });

  it('revalidate on every use: no-cache, a strong ETag, 304 when unchanged', async () => {
    const res = await f.app.request('/badge/docs/status.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await f.app.request('/badge/docs/status.svg', {
      headers: { 'If-None-Match': `"x", ${etag}` },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(again.headers.get('content-security-policy')).toBeNull();
  });

  it('change with the state, and with them the ETag', async () => {
    const before = await f.app.request('/badge/docs/status.svg');
    for (const v of await f.store.vantageStatuses('docs'))
      await f.store.upsertVantageStatus({
        ...v,
        state: 'missing',
        status: 404,
        seqSeen: undefined,
      });
    const after = await f.app.request('/badge/docs/status.svg');
    expect(await after.text()).toContain('status: 404');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const stale = await f.app.request('/badge/docs/status.svg', {
      headers: { 'If-None-Match': before.headers.get('etag')! },
    });
    expect(stale.status).toBe(200);
    for (const v of await f.store.vantageStatuses('docs'))
      await f.store.upsertVantageStatus({ ...v, state: 'fresh', status: 200 });
  });
});

describe('badge SVG', () => {
  it('measures text in Verdana 11px like shields (odd widths, fallback for other characters)', () => {
    expect(badgeTextWidth('MTQS')).toBe(33);
    expect(textWidth('iiii')).toBeLessThan(textWidth('mmmm'));
    expect(textWidth('é')).toBe(textWidth('m'));
    for (const text of ['status', 'fresh', 'stale 14m 2/5', '99.31%'])
      expect(badgeTextWidth(text) % 2).toBe(1);
  });

  it('is as wide as its two halves and escapes its text', () => {
    const svg = renderBadge({ label: 'a<b>&"c"', message: "x'y<script>", color: 'red' });
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    const rects = [...svg.matchAll(/<rect (?:x="\d+" )?width="(\d+)" height="20" fill="#/g)].map(
      (m) => Number(m[1]),
    );
    expect(rects[0]! + rects[1]!).toBe(width);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;: x&apos;y&lt;script&gt;');
  });

  it('draws white text on every named colour, as shields does (brightness <= 0.69)', () => {
    for (const color of Object.keys(COLORS) as Array<keyof typeof COLORS>)
      expect(renderBadge({ label: 'l', message: 'm', color })).not.toContain('fill="#333"');
  });
});
