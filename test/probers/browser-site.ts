/**
 * A small static site for the browser vantage tests, on loopback (a potentially trustworthy
 * origin, so service workers work over plain http). It serves files from a directory that the
 * local-dir deployer writes into, an index page that registers `/sw.js`, and that worker: it
 * caches the canary page on install and answers it cache-first, forever. That is the bug the
 * browser vantage exists to catch: the edge is fresh, returning visitors are not.
 */
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

export const CANARY_PATH = '/freshprobe/canary.html';

const INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><title>sw site</title></head>
<body><p>home</p>
<script>navigator.serviceWorker.register('/sw.js');</script>
</body></html>
`;

const WORKER = `
const CACHE = 'site-v1';
self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((c) => c.add('${CANARY_PATH}')).then(() => self.skipWaiting()),
  );
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname !== '${CANARY_PATH}') return;
  event.respondWith(caches.match('${CANARY_PATH}').then((hit) => hit || fetch(event.request)));
});
`;

export interface BrowserSite {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  /** Requests seen, `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

export interface BrowserSiteOptions {
  /** Where deployed files live (the local-dir deployer's `dir`). */
  dir: string;
  /** Serve the service worker and the index page that registers it (default true). */
  serviceWorker?: boolean;
}

async function answer(o: BrowserSiteOptions, path: string, res: http.ServerResponse) {
  const send = (status: number, type: string, body: string | Buffer) => {
    // no-store: only the service worker may keep old content, not the browser's HTTP cache.
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const worker = o.serviceWorker !== false;
  if (path === '/') return send(200, 'text/html', worker ? INDEX : '<p>home</p>');
  if (path === '/sw.js' && worker) return send(200, 'text/javascript', WORKER);
  const file = join(o.dir, normalize(path));
  const type = path.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8';
  try {
    return send(200, type, await readFile(file));
  } catch {
    return send(404, 'text/plain', 'not found');
  }
}

export async function startBrowserSite(o: BrowserSiteOptions): Promise<BrowserSite> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    void answer(o, path, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Processes whose command line names `dir` (Chromium's and its helpers' `--user-data-dir`). */
export async function processesUsing(dir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) found.push(Number(pid));
  }
  return found;
}
