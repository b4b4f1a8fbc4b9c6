/**
 * The `browser` vantage: the canary as a returning user's Chromium shows it, service worker and
 * browser caches included. It catches what HTTP probes cannot see: a worker that keeps serving
 * an old page from Cache Storage after the edge went fresh. Never throws; a failed probe brings
 * a screenshot of what the user would have seen.
 */
import type { Page } from 'playwright-core';
import { readMarker } from '../core/canary.js';
import type { ProbeResult } from '../core/model.js';
import type { Prober } from '../core/ports.js';
import {
  browserCacheInfo,
  captureScreenshot,
  classifyBrowserError,
  renderedBody,
  type ScreenshotWait,
  visitLanding,
  watchDocuments,
} from './browser-page.node.js';
import { type BrowserLease, leaseBrowser, withBrowserSlot } from './browser-pool.node.js';
import type { ProbeFailure, ProbeOutcome } from './http.js';

export interface BrowserProberOptions {
  /** Full canary URL, e.g. https://docs.example.com/freshprobe/canary.html */
  url: string;
  /** The site's base URL, visited first so its service worker installs as for a real visitor. */
  landingUrl?: string;
  format: 'json' | 'html';
  /** Wait for `<meta name="freshprobe">` to appear (html); off for an external deploy's page. */
  awaitMarker?: boolean;
  /** Budget for one probe, landing visit included, ms. */
  timeoutMs: number;
  /** Rendered bodies larger than this are `too_large`. */
  maxBodyBytes: number;
  headers?: Record<string, string>;
  /** Chromium profile (user-data) directory; probers given the same one share one browser. */
  profileDir: string;
  /** Default /usr/bin/chromium. */
  executablePath?: string;
  /** Least time between two failure screenshots of the same kind, ms (default 60 s). */
  screenshotEveryMs?: number;
  /** Clock for `startedAt`/`durationMs`, epoch ms; default Date.now. */
  now?: () => number;
}

type Outcome = ProbeOutcome;

const byteLength = (text: string) => new TextEncoder().encode(text).byteLength;

/** What failed, for the screenshot throttle; undefined when the probe read a marker. */
function failureKind(o: Outcome, awaitMarker: boolean): string | undefined {
  if (o.error) return o.error.class;
  const status = o.status ?? 0;
  if (status < 200 || status >= 300) return `http_${status}`;
  return awaitMarker && !readMarker(o.body ?? '') ? 'no_marker' : undefined;
}

function screenshotWait(o: Outcome): ScreenshotWait {
  if (o.error?.class === 'timeout') return 'stop';
  // No response at all: a network error, shown on Chromium's own error page.
  return o.error && o.status === undefined ? 'error-page' : 'load';
}

/** A failure after a success, or of a new kind, is shot at once; a lasting one every `everyMs`. */
function screenshotThrottle(everyMs: number) {
  let last: { kind: string; at: number } | undefined;
  return (kind: string | undefined, at: number): boolean => {
    if (kind === undefined) last = undefined;
    if (kind === undefined || (last?.kind === kind && at - last.at < everyMs)) return false;
    last = { kind, at };
    return true;
  };
}

/** Navigates to the canary and reads it; the page stays open for a screenshot. */
async function look(page: Page, opts: BrowserProberOptions, deadline: number): Promise<Outcome> {
  const now = opts.now ?? Date.now;
  const left = () => Math.max(1, deadline - Date.now());
  if (opts.headers) await page.setExtraHTTPHeaders(opts.headers);
  if (opts.landingUrl && opts.landingUrl !== opts.url) {
    await visitLanding(page, opts.landingUrl, left() / 2);
  }
  const documents = await watchDocuments(page);
  const startedAt = now();
  const done = () => Math.max(0, now() - startedAt);
  try {
    const response = await page.goto(opts.url, { waitUntil: 'domcontentloaded', timeout: left() });
    if (!response) throw new Error('the navigation produced no response');
    const status = response.status();
    const cache = browserCacheInfo(response, documents.get(response.url()));
    const headers = response.headers();
    if (status >= 200 && status < 300 && opts.awaitMarker !== false && opts.format === 'html') {
      // Scripts may add the marker after the document loads; a page without one waits it out.
      const marker = 'meta[name="freshprobe"]';
      await page.waitForSelector(marker, { state: 'attached', timeout: left() }).catch(() => {});
    }
    const body = await renderedBody(page, opts.format);
    if (byteLength(body) > opts.maxBodyBytes) {
      const error = {
        class: 'too_large' as const,
        message: `rendered body larger than ${opts.maxBodyBytes} bytes`,
      };
      return { startedAt, durationMs: done(), status, headers, cache, error };
    }
    return { startedAt, durationMs: done(), status, body, headers, cache };
  } catch (err) {
    return { startedAt, durationMs: done(), cache: {}, error: classifyBrowserError(err, opts.url) };
  }
}

interface ProbeContext {
  opts: BrowserProberOptions;
  lease: BrowserLease;
  shouldShoot: (kind: string | undefined, at: number) => boolean;
}

/** Time past the budget for the screenshot and a slow page to settle before it is closed. */
const SETTLE_GRACE_MS = 5_000;

/**
 * Closes the page when the caller aborts or the page outlives its budget: a busy or hung
 * renderer can stall any page call, and closing makes every pending one reject at once.
 */
function guardPage(page: Page, signal: AbortSignal, ms: number) {
  let reason: string | undefined;
  const stop = (why: string) => {
    reason ??= why;
    void page.close().catch(() => {});
  };
  const onAbort = () => stop('probe aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const timer = setTimeout(() => stop(`page did not settle within ${ms} ms`), ms);
  return {
    reason: () => reason,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

async function probeOnce(ctx: ProbeContext, signal: AbortSignal): Promise<Outcome> {
  const { opts } = ctx;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const failed = (error: ProbeFailure): Outcome => ({
    startedAt,
    durationMs: Math.max(0, now() - startedAt),
    cache: {},
    error,
  });
  if (signal.aborted) return failed({ class: 'timeout', message: 'probe aborted' });
  let page: Page;
  try {
    page = await ctx.lease.newPage();
  } catch (err) {
    // Chromium would not start: data, not an exception.
    return failed(classifyBrowserError(err, opts.url));
  }
  const guard = guardPage(page, signal, opts.timeoutMs + SETTLE_GRACE_MS);
  try {
    const outcome = await look(page, opts, Date.now() + opts.timeoutMs).catch(
      (err: unknown): Outcome => failed(classifyBrowserError(err, opts.url)),
    );
    const kind = failureKind(outcome, opts.awaitMarker !== false);
    const shoot = ctx.shouldShoot(kind, outcome.startedAt);
    const screenshot = shoot ? await captureScreenshot(page, screenshotWait(outcome)) : undefined;
    // The guard closed the page under `look`: say why, rather than "target closed".
    const stopped = guard.reason();
    if (stopped && outcome.error)
      return { ...outcome, error: { class: 'timeout', message: stopped } };
    return screenshot ? { ...outcome, screenshot } : outcome;
  } finally {
    guard.dispose();
    await page.close().catch(() => {});
  }
}

/**
 * One Chromium (shared by every browser prober with the same `profileDir`) loads the site's
 * landing page, then the canary, and waits for the marker. `close()` releases the browser: the
 * last prober to close it ends the Chromium process.
 */
export function createBrowserProber(opts: BrowserProberOptions): Prober {
  new URL(opts.url); // a bad URL is a config error: fail at creation, not per probe
  const ctx: ProbeContext = {
    opts,
    lease: leaseBrowser(opts.profileDir, opts.executablePath),
    shouldShoot: screenshotThrottle(opts.screenshotEveryMs ?? 60_000),
  };
  return {
    kind: 'browser',
    async probe(signal: AbortSignal): Promise<ProbeResult[]> {
      const outcome = await withBrowserSlot(() => probeOnce(ctx, signal));
      return [{ vantage: 'browser', ...outcome }];
    },
    close: () => ctx.lease.release(),
  };
}
