/**
 * Normalizes the cache headers of one response into CacheInfo (DESIGN.md section 4).
 * Runtime-independent: only reads a Headers object. Every CDN spells "hit" differently,
 * so each vendor header gets its own small table; the standard Cache-Status wins when present.
 */
import type { CacheInfo } from '../core/model.js';

type CacheStatus = NonNullable<CacheInfo['cacheStatus']>;

/** cf-cache-status values (Cloudflare docs). UPDATING serves the stale object while refreshing. */
const CLOUDFLARE: Record<string, CacheStatus> = {
  hit: 'hit',
  miss: 'miss',
  expired: 'expired',
  stale: 'stale',
  bypass: 'bypass',
  revalidated: 'revalidated',
  updating: 'stale',
  dynamic: 'dynamic',
};

/** x-vercel-cache values. PRERENDER is served from the prerendered cache, i.e. a hit. */
const VERCEL: Record<string, CacheStatus> = {
  hit: 'hit',
  miss: 'miss',
  stale: 'stale',
  prerender: 'hit',
  revalidated: 'revalidated',
  bypass: 'bypass',
};

/** RFC 9211 `fwd` reasons: why the cache went forward to the next hop. */
const FORWARD: Record<string, CacheStatus> = {
  bypass: 'bypass',
  method: 'bypass',
  'uri-miss': 'miss',
  'vary-miss': 'miss',
  miss: 'miss',
  request: 'miss',
  partial: 'miss',
  stale: 'stale',
};

/** Splits a list header on commas outside double quotes; members trimmed, empties dropped. */
function splitList(value: string): string[] {
  const members: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      members.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  members.push(current.trim());
  return members.filter((m) => m !== '');
}

function lastMember(value: string | null): string | undefined {
  return value === null ? undefined : splitList(value).at(-1);
}

/**
 * RFC 9211 Cache-Status: caches are listed in the order they handled the response, so the
 * last member is the cache closest to the user, the one whose answer the user actually got.
 */
export function parseCacheStatus(value: string): CacheStatus | undefined {
  const member = splitList(value).at(-1);
  if (member === undefined) return undefined;
  const params = new Map<string, string>();
  for (const part of member.split(';').slice(1)) {
    const [key = '', raw = ''] = part.split('=');
    params.set(key.trim().toLowerCase(), raw.trim().replace(/^"|"$/g, '').toLowerCase());
  }
  if (params.has('hit')) {
    // A hit with a negative remaining ttl was served stale.
    const ttl = Number(params.get('ttl'));
    return Number.isFinite(ttl) && ttl < 0 ? 'stale' : 'hit';
  }
  const fwd = params.get('fwd');
  if (fwd !== undefined) return FORWARD[fwd] ?? 'other';
  return 'other';
}

/** x-cache as sent by CloudFront, Fastly, Varnish, Squid: `Hit from cloudfront`, `HIT, MISS`, `TCP_MEM_HIT`. */
export function parseXCache(value: string): CacheStatus | undefined {
  const member = lastMember(value)?.toLowerCase();
  if (member === undefined) return undefined;
  if (/refresh_?hit/.test(member)) return 'revalidated';
  if (member.includes('miss')) return 'miss';
  if (member.includes('stale')) return 'stale';
  if (member.includes('expired')) return 'expired';
  if (member.includes('hit')) return 'hit';
  if (/\b(bypass|pass)\b/.test(member)) return 'bypass';
  return 'other';
}

function fromTable(table: Record<string, CacheStatus>, value: string | null) {
  const member = lastMember(value)?.toLowerCase();
  return member === undefined ? undefined : (table[member] ?? 'other');
}

function cacheStatusOf(headers: Headers): CacheStatus | undefined {
  const standard = headers.get('cache-status');
  if (standard !== null) return parseCacheStatus(standard);
  const xCache = headers.get('x-cache');
  return (
    fromTable(CLOUDFLARE, headers.get('cf-cache-status')) ??
    fromTable(VERCEL, headers.get('x-vercel-cache')) ??
    (xCache === null ? undefined : parseXCache(xCache))
  );
}

/** The point of presence that answered, from the most specific vendor header present. */
function popOf(headers: Headers): string | undefined {
  // Fastly (and GitHub Pages) list every cache hop; the last one answered the user.
  const servedBy = lastMember(headers.get('x-served-by'));
  if (servedBy) return servedBy;
  // cf-ray: `8a1b2c3d4e5f6789-FRA`, the airport code after the last dash.
  const ray = headers.get('cf-ray')?.trim();
  if (ray?.includes('-')) return ray.slice(ray.lastIndexOf('-') + 1) || undefined;
  const amz = lastMember(headers.get('x-amz-cf-pop'));
  if (amz) return amz;
  // x-vercel-id: `fra1::iad1::abcde-1700000000000-0123456789ab`, the first segment is the edge.
  const vercel = headers.get('x-vercel-id')?.split('::')[0]?.trim();
  return vercel || undefined;
}

function ageOf(headers: Headers): number | undefined {
  const first = headers.get('age')?.split(',')[0]?.trim();
  return first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;
}

/** Reads Age, Cache-Control, ETag, Last-Modified, the normalized cache status and the POP. */
export function normalizeCacheInfo(headers: Headers): CacheInfo {
  const info: CacheInfo = {};
  const age = ageOf(headers);
  if (age !== undefined) info.age = age;
  const cacheControl = headers.get('cache-control');
  if (cacheControl !== null) info.cacheControl = cacheControl;
  const etag = headers.get('etag');
  if (etag !== null) info.etag = etag;
  const lastModified = headers.get('last-modified');
  if (lastModified !== null) info.lastModified = lastModified;
  const cacheStatus = cacheStatusOf(headers);
  if (cacheStatus !== undefined) info.cacheStatus = cacheStatus;
  const pop = popOf(headers);
  if (pop !== undefined) info.pop = pop;
  return info;
}
