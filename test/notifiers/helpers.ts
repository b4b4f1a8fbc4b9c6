/**
 * A local HTTP receiver for notifier tests (127.0.0.1, port 0) that records every request and
 * answers what the test scripted, plus sample AlertMessages. No globals are stubbed: notifiers
 * get a real `fetch` pointed at this server.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertMessage } from '../../src/core/model.js';

export interface Received {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Raw body text (signatures are over these exact bytes). */
  raw: string;
  /** Parsed JSON body. */
  json: Record<string, unknown>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  base: string;
  requests: Received[];
  /** Replies used in order; when empty, `fallback` answers. */
  replies: Reply[];
  fallback: Reply;
  close(): Promise<void>;
}

export async function startReceiver(
  fallback: Reply = { status: 200, body: 'ok' },
): Promise<Receiver> {
  const receiver: Omit<Receiver, 'base' | 'close'> = { requests: [], replies: [], fallback };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // Left empty: the test asserts on `raw` or fails on missing fields.
      }
      receiver.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        raw,
        json,
      });
      const reply = receiver.replies.shift() ?? receiver.fallback;
      const answer = () => res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A port nothing listens on: bound, read, closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const AT = Date.UTC(2026, 4, 3, 9, 30, 0);

/** A firing stale alert with every optional field set; override per test. */
export function sampleMessage(over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    kind: 'firing',
    incidentId: `docs:stale:${AT - 18 * 60_000}`,
    dedupKey: `freshprobe:docs:stale:${AT - 18 * 60_000}`,
    site: { id: 'docs', name: 'Product docs', url: 'https://docs.example.com/' },
    state: 'stale',
    cause: 'stale',
    title: 'Stale: 1 of 5 nodes serve content from 09:12',
    summary: 'Node 10.0.0.4 still serves canary #41. Check that its mount was refreshed.',
    since: AT - 18 * 60_000,
    stalenessMs: 12 * 60_000 + 5_000,
    vantages: ['node:10.0.0.4'],
    latency: { latencyMs: 432_000, latencyBoundsMs: [418_000, 450_000], thresholdMs: 300_000 },
    siteUrl: 'https://status.example.com/sites/docs',
    runbook: 'https://wiki.example.com/runbooks/pages',
    at: AT,
    ...over,
  };
}

export const now = () => AT;

export const signal = () => AbortSignal.timeout(15_000);
