/**
 * Answers for the hottest route, badges, without going through Hono, for a
 * runtime that can (Node: fast-path.node.ts, runtime/listen.node.ts). Most of
 * a badge's cost is Node's HTTP server and the kernel; Hono's share (a
 * Headers built from every request header to read If-None-Match, routing,
 * two middlewares, promises, the Response adaptation) is what this skips, a
 * few microseconds a request, more with a browser's dozen headers than with
 * a load tool's two. It answers only what the app would answer the same way
 * from memory (the same badge cache and answer, the same rate limit buckets)
 * and says undefined for anything else, which the app then answers: the Hono
 * route stays the one source of truth, and Workers use only it.
 */
import type { Hono } from 'hono';
import type { BadgeAnswer, PeekBadge } from './badges/routes.js';
import type { RateLimiter } from './rate-limit.js';

export interface FastRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  ifNoneMatch: string | undefined;
  /** The rate limit's key for this client, as AppServices.clientAddress gives it. */
  clientKey(): string | undefined;
}

export type FastAnswer = BadgeAnswer;
export type FastPath = (request: FastRequest) => FastAnswer | undefined;

const paths = new WeakMap<Hono, FastPath>();

/**
 * Only GET: a HEAD goes through Hono, which answers it from a GET with the body dropped and
 * its headers rewritten; rare for badges, so not worth mimicking.
 */
export function setFastPath(app: Hono, badge: PeekBadge, limiter: RateLimiter | undefined): void {
  paths.set(app, (request) => {
    if (request.method !== 'GET') return undefined;
    const answer = badge(request.target, request.ifNoneMatch);
    if (!answer) return undefined;
    // Over the limit: the app's middleware asks again (a refused take took nothing) and
    // answers the 429 itself, so both paths send the same one.
    if (limiter?.enabled && limiter.take(request.clientKey()) > 0) return undefined;
    return answer;
  });
}

/** The app's fast path, if createApp gave it one. */
export function fastPathOf(app: Hono): FastPath | undefined {
  return paths.get(app);
}
