/**
 * Security headers on every response. Pages get a strict CSP: scripts and
 * styles only from our own /assets/ files (no inline script or style), no
 * framing, no forms, no plugins. Everything else (JSON, SVG badges, feeds)
 * gets `default-src 'none'`, so a document opened directly can run nothing;
 * SVGs keep inline styles for their own dark-mode palette.
 */
import type { MiddlewareHandler } from 'hono';

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

function cspFor(contentType: string): string {
  if (contentType.startsWith('text/html')) return PAGE_CSP;
  if (contentType.startsWith('image/svg+xml')) return SVG_CSP;
  return DATA_CSP;
}

const OTHER_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Every security header for a body of this type, for routes that build their own responses. */
export function securityHeaderValues(contentType: string): Record<string, string> {
  return { 'Content-Security-Policy': cspFor(contentType), ...OTHER_HEADERS };
}

/**
 * Responses built with securityHeaderValues already (badges, the hot route): the middleware
 * leaves them alone without reading their headers, which on @hono/node-server would turn its
 * lightweight Response into a full one (a third of the badge route's time in app.fetch).
 */
const SECURED = Symbol('freshprobe.secured');

export function alreadySecured(response: Response): Response {
  (response as Response & { [SECURED]?: true })[SECURED] = true;
  return response;
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if ((c.res as Response & { [SECURED]?: true })[SECURED]) return;
    const headers = c.res.headers;
    // A 304 refreshes the cached response's headers: a CSP here would replace the page's own.
    if (c.res.status !== 304 && !headers.has('Content-Security-Policy'))
      headers.set('Content-Security-Policy', cspFor(headers.get('Content-Type') ?? ''));
    for (const [name, value] of Object.entries(OTHER_HEADERS)) headers.set(name, value);
  };
}
