/**
 * The badge fast path on node:http (runtime/listen.node.ts): asks the app's
 * fast path (fast-path.ts) and writes its answer straight on the response,
 * exactly as @hono/node-server writes the same answer from Hono (same status,
 * headers in the same order, Content-Length set by Node at the end). False:
 * not answered, the request goes on to Hono.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { type FastAnswer, type FastRequest, fastPathOf } from './fast-path.js';
import { lastForwardedHop } from './rate-limit.js';

export type NodeFastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Host headers @hono/node-server uses as they are (its own test); any other it parses and
 * may refuse with 400, so those requests go through it.
 */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/**
 * The rate limit's key from Node's request: what runtime/ops.node.ts `clientAddress` reads from
 * Hono's context for the same request (the TCP peer, or behind a trusted proxy the last
 * X-Forwarded-For hop), so both paths count a client in one bucket.
 */
export function peerAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    // Node joins repeated X-Forwarded-For lines with ", ", as Headers.get does.
    const header = req.headers['x-forwarded-for'];
    const last = lastForwardedHop(Array.isArray(header) ? header.join(', ') : header);
    if (last) return last;
  }
  return req.socket.remoteAddress;
}

type ClientKey = (req: IncomingMessage) => string | undefined;

/** A class, not a literal with a closure: nothing to allocate per request beyond the object. */
class NodeFastRequest implements FastRequest {
  readonly method: string;
  readonly target: string;
  readonly ifNoneMatch: string | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly keyOf: ClientKey,
  ) {
    this.method = req.method ?? '';
    this.target = req.url ?? '';
    this.ifNoneMatch = req.headers['if-none-match'];
  }

  clientKey(): string | undefined {
    return this.keyOf(this.req);
  }
}

/** `clientKey` gives the rate limit's key for a request, as the app's `clientAddress` does. */
export function nodeFastHandler(app: Hono, clientKey: ClientKey): NodeFastHandler | undefined {
  const fast = fastPathOf(app);
  if (!fast) return undefined;
  return (req, res) => {
    const host = req.headers.host;
    if (!host || !PLAIN_HOST.test(host)) return false;
    let answer: FastAnswer | undefined;
    try {
      answer = fast(new NodeFastRequest(req, clientKey));
    } catch {
      // A bug here must not take the server down: Hono answers instead.
      return false;
    }
    if (!answer) return false;
    res.statusCode = answer.status;
    for (const name in answer.headers) res.setHeader(name, answer.headers[name]!);
    // With the body in end(), Node sets Content-Length itself, after its own headers.
    res.end(answer.body ?? undefined);
    return true;
  };
}
