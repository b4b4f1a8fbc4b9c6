/**
 * The `fetch` that Node probers are given: undici's fetch bound to an undici Agent, so probes
 * reuse keep-alive connections and get a real connect-phase timeout (the global fetch has
 * neither knob). Errors are undici's own: a TypeError whose `cause.code` (ECONNREFUSED,
 * ENOTFOUND, UND_ERR_CONNECT_TIMEOUT...) is what `classifyFetchError` in http.ts reads.
 */
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { probeFetchVia } from './lean-fetch.node.js';

export interface NodeFetchOptions {
  /** TCP (and TLS handshake) connect budget, ms. */
  connectTimeoutMs: number;
  /** undici's own wait for response headers, ms; the prober's budget usually ends first. */
  headersTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open, ms (undici default 4 s). */
  keepAliveTimeoutMs?: number;
  /** Maximum connections per origin (default unlimited). */
  connections?: number;
  /** Trusted CA certificates (PEM) for sites behind a private CA; replaces the public roots. */
  ca?: string | string[];
}

/** A fetch bound to one connection pool, and the way to release that pool. */
export interface NodeFetch {
  fetch: typeof fetch;
  /** The same pool through lean-fetch.node.ts: for probers only (GET, no redirects followed). */
  probeFetch: typeof fetch;
  /** Closes the pool; waits for requests in flight (each is bounded by its probe's budget). */
  close(): Promise<void>;
}

/**
 * undici's fetch routed through `dispatcher`. undici's Request/Response types differ from the
 * DOM lib's only nominally, hence the cast; at runtime they are the same web classes' shape.
 */
export function fetchVia(dispatcher: Dispatcher): typeof fetch {
  const bound = (input: unknown, init?: unknown) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return bound as unknown as typeof fetch;
}

/** A keep-alive pool with a connect timeout, exposed as a standard `fetch`. */
export function createNodeFetch(opts: NodeFetchOptions): NodeFetch {
  const timeout = opts.connectTimeoutMs;
  const options: Agent.Options = { connect: opts.ca ? { timeout, ca: opts.ca } : { timeout } };
  // Left unset, undici's defaults apply (headers 300 s, keep-alive 4 s, unlimited connections).
  if (opts.headersTimeoutMs !== undefined) options.headersTimeout = opts.headersTimeoutMs;
  if (opts.keepAliveTimeoutMs !== undefined) options.keepAliveTimeout = opts.keepAliveTimeoutMs;
  if (opts.connections !== undefined) options.connections = opts.connections;
  const agent = new Agent(options);
  return {
    fetch: fetchVia(agent),
    probeFetch: probeFetchVia(agent),
    close: () => agent.close(),
  };
}
