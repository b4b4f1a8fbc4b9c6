/**
 * A `fetch` that only talks to public addresses: every request, and every
 * redirect hop, goes through assertPublicUrl first. Redirects are followed
 * here by hand because a public URL answering `302 Location:
 * http://169.254.169.254/` would otherwise walk straight past a check made
 * only on the first URL. Runtime-independent; the resolver is injected.
 */
import { assertPublicUrl, type PublicUrlOptions } from './address-guard.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Headers that may follow a redirect to another origin; credentials never do. */
const CROSS_ORIGIN_SAFE = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);

export interface GuardFetchOptions extends PublicUrlOptions {
  /** Redirect hops followed before failing like fetch does (default 5). */
  maxRedirects?: number;
}

function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** The request for the next hop, the way fetch itself rewrites it. */
function nextInit(init: RequestInit, status: number, crossOrigin: boolean): RequestInit {
  const method = (init.method ?? 'GET').toUpperCase();
  const toGet =
    status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  const headers = new Headers(init.headers);
  const next: RequestInit = { ...init, headers };
  if (toGet) {
    next.method = 'GET';
    next.body = undefined;
    headers.delete('content-type');
  }
  if (crossOrigin) {
    for (const name of [...headers.keys()]) if (!CROSS_ORIGIN_SAFE.has(name)) headers.delete(name);
  }
  return next;
}

/**
 * Wraps `inner` so it refuses private, loopback and link-local destinations
 * (see assertPublicUrl) with a PrivateAddressError. With `allowPrivate` it
 * returns `inner` unchanged. Requests that set `redirect: 'manual'` or
 * `'error'` get exactly that; the default `'follow'` is followed hop by hop.
 */
export function guardFetch(inner: typeof fetch, opts: GuardFetchOptions): typeof fetch {
  if (opts.allowPrivate) return inner;
  const maxRedirects = opts.maxRedirects ?? 5;
  const guarded = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let url = urlOf(input);
    await assertPublicUrl(url, opts);
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    if (mode !== 'follow') return inner(input, init);
    let hopInit: RequestInit = { ...init, redirect: 'manual' };
    let response = await inner(input, hopInit);
    for (let hop = 0; REDIRECTS.has(response.status); hop++) {
      const location = response.headers.get('location');
      if (location === null) break;
      if (hop >= maxRedirects)
        throw new TypeError(`fetch failed: more than ${maxRedirects} redirects`);
      const next = new URL(location, url);
      await response.body?.cancel();
      await assertPublicUrl(next, opts);
      hopInit = nextInit(hopInit, response.status, next.origin !== new URL(url).origin);
      url = next.href;
      response = await inner(url, hopInit);
    }
    return response;
  };
  return guarded as typeof fetch;
}
