/**
 * A fake static host with a deploy hook, on loopback: `POST /hook` with the
 * webhook deployer's body `{ path, content }` publishes `content` at `path`
 * after `delayMs` or `?delay=` (a build and a CDN in one); GETs serve what is
 * published.
 * Responses carry a Cloudflare-style `cf-ray` so colo recording is testable.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookSite {
  /** Base URL, with a trailing slash. */
  url: string;
  hookUrl: string;
  /** Every hook call, in order. */
  deploys: Array<{ at: number; path: string }>;
  /** Publish delay for the next hooks, ms. */
  delayMs: number;
  close(): Promise<void>;
}

export const HOOK_BODY = { path: '{{path}}', content: '{{content}}' };
/** The colo every response names in its cf-ray. */
export const FAKE_COLO = 'FRA';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => resolve(text));
  });
}

export async function startHookSite(opts: { delayMs?: number; port?: number } = {}) {
  const files = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  const site = { deploys: [], delayMs: opts.delayMs ?? 0 } as unknown as HookSite;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = { 'cf-ray': `8a1b2c3d4e5f6789-${FAKE_COLO}`, 'cache-control': 'no-store' };
    if (req.method === 'POST' && path === '/hook') {
      // `?delay=ms` per hook URL, so one fake can host a fast and a slow site.
      const delay = Number(
        new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? Number.NaN,
      );
      void readBody(req).then((text) => {
        const { path: at, content } = JSON.parse(text) as { path: string; content: string };
        site.deploys.push({ at: Date.now(), path: at });
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            files.set(at, content);
          },
          Number.isFinite(delay) ? delay : site.delayMs,
        );
        timers.add(timer);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"build-1"}');
      });
      return;
    }
    const body = files.get(path);
    if (body === undefined) res.writeHead(404, headers).end('not found');
    else res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.url = `${base}/`;
  site.hookUrl = `${base}/hook`;
  site.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}
