import { describe, expect, it } from 'vitest';
import { normalizeCacheInfo, parseCacheStatus, parseXCache } from '../../src/probers/cache-info.js';

const info = (headers: Record<string, string>) => normalizeCacheInfo(new Headers(headers));

describe('normalizeCacheInfo: real-world responses', () => {
  it('GitHub Pages (Fastly)', () => {
    expect(
      info({
        'cache-control': 'max-age=600',
        etag: 'W/"6650c2b1-1f4"',
        'last-modified': 'Fri, 24 May 2024 16:42:25 GMT',
        age: '118',
        'x-served-by': 'cache-fra-etou8220024-FRA',
        'x-cache': 'HIT',
        'x-cache-hits': '1',
        'x-github-request-id': 'A1B2:3C4D:5E6F:7A8B:66511234',
      }),
    ).toEqual({
      age: 118,
      cacheControl: 'max-age=600',
      etag: 'W/"6650c2b1-1f4"',
      lastModified: 'Fri, 24 May 2024 16:42:25 GMT',
      cacheStatus: 'hit',
      pop: 'cache-fra-etou8220024-FRA',
    });
  });

  it('Fastly with shielding: the last hop is the one that answered the user', () => {
    expect(
      info({
        'x-served-by': 'cache-iad-kiad7000025-IAD, cache-fra-etou8220024-FRA',
        'x-cache': 'HIT, MISS',
      }),
    ).toEqual({ cacheStatus: 'miss', pop: 'cache-fra-etou8220024-FRA' });
  });

  it('Cloudflare', () => {
    expect(
      info({
        'cf-cache-status': 'DYNAMIC',
        'cf-ray': '8a1b2c3d4e5f6789-FRA',
        'cache-control': 'public, max-age=0, must-revalidate',
      }),
    ).toEqual({
      cacheStatus: 'dynamic',
      pop: 'FRA',
      cacheControl: 'public, max-age=0, must-revalidate',
    });
  });

  it.each([
    ['HIT', 'hit'],
    ['MISS', 'miss'],
    ['EXPIRED', 'expired'],
    ['STALE', 'stale'],
    ['BYPASS', 'bypass'],
    ['REVALIDATED', 'revalidated'],
    ['UPDATING', 'stale'],
    ['DYNAMIC', 'dynamic'],
    ['NONE', 'other'],
  ])('cf-cache-status %s -> %s', (value, expected) => {
    expect(info({ 'cf-cache-status': value }).cacheStatus).toBe(expected);
  });

  it('CloudFront', () => {
    expect(
      info({ 'x-cache': 'Hit from cloudfront', 'x-amz-cf-pop': 'FRA56-P1', age: '3' }),
    ).toEqual({
      age: 3,
      cacheStatus: 'hit',
      pop: 'FRA56-P1',
    });
    expect(info({ 'x-cache': 'RefreshHit from cloudfront' }).cacheStatus).toBe('revalidated');
    expect(info({ 'x-cache': 'Miss from cloudfront' }).cacheStatus).toBe('miss');
    expect(info({ 'x-cache': 'Error from cloudfront' }).cacheStatus).toBe('other');
  });

  it('Vercel', () => {
    expect(
      info({
        'x-vercel-cache': 'PRERENDER',
        'x-vercel-id': 'fra1::iad1::abcde-1700000000000-0123456789ab',
      }),
    ).toEqual({ cacheStatus: 'hit', pop: 'fra1' });
    expect(info({ 'x-vercel-cache': 'STALE' }).cacheStatus).toBe('stale');
    expect(info({ 'x-vercel-cache': 'REVALIDATED' }).cacheStatus).toBe('revalidated');
    expect(info({ 'x-vercel-cache': 'MISS', 'x-vercel-id': 'cdg1::x7k2p-1700000000000' }).pop).toBe(
      'cdg1',
    );
  });

  it('Netlify (RFC 9211 Cache-Status, several caches)', () => {
    const value = '"Netlify Durable"; hit; ttl=2476, "Netlify Edge"; fwd=miss';
    expect(info({ 'cache-status': value, age: '12' })).toEqual({ age: 12, cacheStatus: 'miss' });
    expect(info({ 'cache-status': '"Netlify Edge"; hit' }).cacheStatus).toBe('hit');
  });

  it('prefers the standard Cache-Status over vendor headers', () => {
    expect(info({ 'cache-status': 'ExampleCache; hit', 'x-cache': 'MISS' }).cacheStatus).toBe(
      'hit',
    );
  });

  it('returns nothing it did not see', () => {
    expect(info({ 'content-type': 'text/html' })).toEqual({});
    expect(info({ age: 'soon' })).toEqual({});
    expect(info({ age: '-5' })).toEqual({});
  });
});

describe('parseCacheStatus (RFC 9211)', () => {
  it.each([
    ['ExampleCache; hit', 'hit'],
    ['ExampleCache; hit; ttl=-30', 'stale'],
    ['ExampleCache; fwd=uri-miss', 'miss'],
    ['ExampleCache; fwd=vary-miss; collapsed', 'miss'],
    ['ExampleCache; fwd=miss; stored', 'miss'],
    ['ExampleCache; fwd=stale; fwd-status=304', 'stale'],
    ['ExampleCache; fwd=bypass', 'bypass'],
    ['ExampleCache; fwd=method', 'bypass'],
    ['OriginCache; hit; ttl=1100, "CDN Company Here"; hit; ttl=545', 'hit'],
    ['OriginCache; hit, CDN; fwd=uri-miss', 'miss'],
    ['ExampleCache; detail="a, b"', 'other'],
  ])('%s -> %s', (value, expected) => {
    expect(parseCacheStatus(value)).toBe(expected);
  });
});

describe('parseXCache', () => {
  it.each([
    ['HIT', 'hit'],
    ['MISS', 'miss'],
    ['HIT, HIT', 'hit'],
    ['MISS, HIT', 'hit'],
    ['TCP_MEM_HIT', 'hit'],
    ['TCP_REFRESH_MISS', 'miss'],
    ['STALE', 'stale'],
    ['PASS', 'bypass'],
  ])('%s -> %s', (value, expected) => {
    expect(parseXCache(value)).toBe(expected);
  });
});
