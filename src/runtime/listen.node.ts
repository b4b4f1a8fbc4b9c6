/**
 * The HTTP listener, with a gate. Normally it opens only after everything is
 * loaded, so it never answers from a half-loaded state. When the socket must
 * exist first (systemd socket activation, where connections queue on it
 * across restarts), the gate answers every content route with 503 and
 * Retry-After until the app is set: a client sees "starting", never a 404 or
 * an empty status page (the 2017 Pages outage served 404s for minutes).
 */
import { createServer } from 'node:http';
import { getRequestListener, type ServerType } from '@hono/node-server';
import type { NodeFastHandler } from '../http/fast-path.node.js';

export type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

export interface Listener {
  server: ServerType;
  port: number;
  /** Opens the gate: from now on requests go to the app (its fast path first, if given). */
  setApp(fetch: FetchHandler, fast?: NodeFastHandler): void;
  close(): Promise<void>;
}

export type ListenTarget = { fd: number } | { port: number; host: string };

export const STARTING_RETRY_AFTER_S = 1;

/** What a request gets while loading: alive, not ready, try again in a second. */
export function startingResponse(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (path === '/healthz') return Response.json({ status: 'ok', loading: true });
  const headers = { 'Retry-After': String(STARTING_RETRY_AFTER_S), 'Cache-Control': 'no-store' };
  if (path === '/readyz')
    return Response.json({ status: 'not_ready', reason: 'loading' }, { status: 503, headers });
  return Response.json(
    { error: 'freshprobe is starting', retryAfterSeconds: STARTING_RETRY_AFTER_S },
    { status: 503, headers },
  );
}

export async function openListener(target: ListenTarget): Promise<Listener> {
  let app: FetchHandler | undefined;
  let fast: NodeFastHandler | undefined;
  // What createAdaptorServer builds, with the fast path (hot badges) in front of Hono.
  const hono = getRequestListener((request: Request, env: unknown) =>
    app ? app(request, env) : startingResponse(request),
  );
  const server = createServer((req, res) => {
    if (!fast?.(req, res)) void hono(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if ('fd' in target) server.listen({ fd: target.fd }, done);
    else server.listen(target.port, target.host, done);
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    setApp: (fetch, fastHandler) => {
      app = fetch;
      fast = fastHandler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; in-flight requests still finish.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}
