/**
 * What the `browser` prober does with one Chromium page: the landing visit that lets a site's
 * service worker install, which cache answered the navigation, the body as rendered, failure
 * screenshots, and Chromium's net errors in the words the core stores.
 */
import type { Page, Response } from 'playwright-core';
import type { CacheInfo, ErrorClass } from '../core/model.js';
import { normalizeCacheInfo } from './cache-info.js';
import type { ProbeFailure } from './http.js';

/** Chromium's `net::ERR_*` names, checked in order. */
const NET_ERRORS: [RegExp, ErrorClass][] = [
  [/^ERR_(NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|DNS_)/, 'dns'],
  [/^ERR_(CERT_|SSL_|BAD_SSL_)/, 'tls'],
  [/^ERR_(TIMED_OUT|CONNECTION_TIMED_OUT)$/, 'timeout'],
  [/^ERR_TOO_MANY_REDIRECTS$/, 'too_many_redirects'],
  [/^ERR_(CONNECTION_|ADDRESS_|INTERNET_DISCONNECTED|NETWORK_|UNSAFE_PORT)/, 'connect'],
];

const short = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);

/** Classifies what `page.goto` and friends throw. Anything unknown is `protocol`. */
export function classifyBrowserError(err: unknown, url: string): ProbeFailure {
  const message = err instanceof Error ? err.message : String(err);
  const host = URL.canParse(url) ? new URL(url).host : url;
  if (err instanceof Error && err.name === 'TimeoutError') {
    const ms = /Timeout (\d+)ms/.exec(message)?.[1];
    return { class: 'timeout', message: `browser: ${host} did not load within ${ms ?? '?'} ms` };
  }
  if (message.includes('ProcessSingleton')) {
    const why = 'the Chromium profile is in use by another process (one freshprobe per data dir)';
    return { class: 'protocol', message: `browser: ${why}` };
  }
  const code = /net::(ERR_[A-Z0-9_]+)/.exec(message)?.[1];
  if (code) {
    const rule = NET_ERRORS.find(([pattern]) => pattern.test(code));
    return { class: rule?.[1] ?? 'protocol', message: `browser: net::${code} (${host})` };
  }
  return { class: 'protocol', message: short(`browser: ${message.split('\n')[0]}`) };
}

/** Longest wait for a first service worker install: one that never activates costs each probe. */
const INSTALL_WAIT_MS = 3_000;

/**
 * Visits the site's landing page as a user would before the canary, so a site that registers a
 * service worker gets one, like a returning visitor has. Waits for a first install to activate
 * (bounded); an updated worker waits for the tab to close, as Chromium does for users.
 * Failures are ignored: the canary navigation reports what matters.
 */
export async function visitLanding(page: Page, url: string, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: budgetMs });
    const settleMs = Math.min(INSTALL_WAIT_MS, Math.max(0, deadline - Date.now()));
    const settle = page.evaluate(async (ms) => {
      const sw = navigator.serviceWorker;
      if (!sw) return;
      // Pages usually register from a load handler: give that call a moment to start.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const reg = await sw.getRegistration();
      if (!reg || reg.active) return;
      await Promise.race([sw.ready, new Promise((resolve) => setTimeout(resolve, ms))]);
    }, settleMs);
    // A page busy in a script never answers evaluate(): do not wait on it past the budget.
    const cap = new Promise((resolve) => setTimeout(resolve, settleMs + 500).unref());
    await Promise.race([settle.catch(() => {}), cap]);
  } catch {
    // A slow or broken landing page is not the canary's problem.
  }
}

interface DocumentSource {
  fromServiceWorker: boolean;
  /** `cache-storage`, `http-cache`, `network`, `fallback-code` when a service worker answered. */
  serviceWorkerSource?: string;
  fromDiskCache: boolean;
}

/**
 * Records, per URL, where Chromium got each document from. Playwright only tells "from a
 * service worker", not whether the worker answered from its cache or passed through to the
 * network, nor whether the browser's HTTP cache answered: the DevTools protocol does.
 */
export async function watchDocuments(page: Page): Promise<Map<string, DocumentSource>> {
  const seen = new Map<string, DocumentSource>();
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.responseReceived', (event) => {
    if (event.type !== 'Document') return;
    const r = event.response;
    seen.set(r.url, {
      fromServiceWorker: r.fromServiceWorker === true,
      serviceWorkerSource: r.serviceWorkerResponseSource,
      fromDiskCache: r.fromDiskCache === true,
    });
  });
  await cdp.send('Network.enable');
  return seen;
}

/**
 * Cache facts of the navigation response. The cache closest to the user answers for it: a
 * service worker's Cache Storage or the browser's HTTP cache beats what the CDN headers say.
 */
export function browserCacheInfo(response: Response, source?: DocumentSource): CacheInfo {
  const info = normalizeCacheInfo(new Headers(response.headers()));
  const fromWorker = source?.fromServiceWorker ?? response.fromServiceWorker();
  const workerSource = source?.serviceWorkerSource;
  if (fromWorker && (workerSource === undefined || workerSource === 'cache-storage')) {
    return { ...info, cacheStatus: 'hit', pop: 'service-worker' };
  }
  if (source?.fromDiskCache || workerSource === 'http-cache') {
    return { ...info, cacheStatus: 'hit', pop: 'browser-cache' };
  }
  return fromWorker ? { ...info, pop: 'service-worker' } : info;
}

/**
 * The body as a user sees it: the rendered HTML, or for JSON the text Chromium renders (its
 * viewer wraps the document in a <pre>; the text is the document itself).
 */
export async function renderedBody(page: Page, format: 'json' | 'html'): Promise<string> {
  if (format === 'html') return page.content();
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point here.
  return page.evaluate(() => document.body?.innerText ?? '');
}

/** A failure screenshot larger than this is retaken smaller, then dropped. */
export const SCREENSHOT_MAX_BYTES = 256 * 1024;
const SCREENSHOT_TIMEOUT_MS = 5_000;

/**
 * What to wait for before a failure screenshot: `stop` a navigation that never finished (or
 * Playwright waits for fonts until it gives up), let Chromium's `error-page` for a network
 * error commit (it follows the failed navigation), or let the page `load`.
 */
export type ScreenshotWait = 'stop' | 'error-page' | 'load';

/** PNG of the viewport (never the full page), within SCREENSHOT_MAX_BYTES; undefined if not. */
export async function captureScreenshot(
  page: Page,
  wait: ScreenshotWait,
): Promise<Uint8Array | undefined> {
  try {
    const timeout = SCREENSHOT_TIMEOUT_MS / 2;
    if (wait === 'stop') await stopLoading(page);
    else if (wait === 'error-page')
      await page.waitForURL(/^chrome-error:/, { waitUntil: 'load', timeout }).catch(() => {});
    else await page.waitForLoadState('load', { timeout }).catch(() => {});
    const opts = { type: 'png', timeout: SCREENSHOT_TIMEOUT_MS, animations: 'disabled' } as const;
    const full = await page.screenshot(opts);
    if (full.byteLength <= SCREENSHOT_MAX_BYTES) return new Uint8Array(full);
    // A busy page (photos): the top of it at half the size usually shows what went wrong.
    const clip = { x: 0, y: 0, width: 640, height: 400 };
    const small = await page.screenshot({ ...opts, clip });
    return small.byteLength <= SCREENSHOT_MAX_BYTES ? new Uint8Array(small) : undefined;
  } catch {
    return undefined;
  }
}

async function stopLoading(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.stopLoading').catch(() => {});
  await cdp.detach().catch(() => {});
}
