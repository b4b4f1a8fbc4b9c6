/**
 * Shared by the HTML routes: a keyed single-flight cache for rendered bodies
 * (concurrent requests for a stale page render it once), and the response
 * with its ETag and 304 handling.
 */
import type { Context } from 'hono';
import { etagMatches, strongEtag } from './etag.js';

export interface Rendered {
  body: string;
  etag: string;
}

/** Keeps one rendering per key list; a new key (any element changed by identity) renders again. */
export class RenderCache {
  private key: unknown[] = [];
  private value?: Promise<Rendered>;

  get(key: unknown[], render: () => Promise<string>): Promise<Rendered> {
    const same =
      this.value && key.length === this.key.length && key.every((k, i) => k === this.key[i]);
    if (same) return this.value!;
    this.key = key;
    const value = render().then((body) => ({ body, etag: strongEtag(body) }));
    // A failed render is not kept: the next request tries again.
    value.catch(() => {
      if (this.value === value) this.value = undefined;
    });
    this.value = value;
    return value;
  }
}

export function sendRendered(
  c: Context,
  r: Rendered,
  contentType: string,
  cacheControl = 'no-cache',
  status: 200 | 404 = 200,
): Response {
  const headers: Record<string, string> = { 'Cache-Control': cacheControl, ETag: r.etag };
  if (status === 200 && etagMatches(c.req.header('if-none-match'), r.etag))
    return new Response(null, { status: 304, headers });
  return new Response(r.body, { status, headers: { ...headers, 'Content-Type': contentType } });
}

export const HTML = 'text/html; charset=utf-8';
