/**
 * The `fetch` Node probers get: the part of fetch that `probeOnce` uses (status, headers, a
 * body reader, abort), built on undici's `dispatcher.request` instead of undici's `fetch`.
 * A probe through fetch costs about four times the CPU (web streams, Request/Response
 * objects, header validation); at thousands of probes a second that is most of the monitor.
 * Like fetch it asks for compressed bodies (a CDN may keep one cached variant per encoding,
 * so a probe must look like a browser) and decodes them; it never follows redirects
 * (`probeOnce` follows them by hand). Errors are undici's own, as `classifyFetchError` reads them.
 */
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';

const ACCEPT_ENCODING = 'gzip, deflate, br';

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Header names lowercased, repeated values joined with ", " as fetch's Headers does. */
class LeanHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: Record<string, string | string[] | undefined>) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
  entries() {
    return this.map.entries();
  }
}

/** A ReadableStream-shaped view of a Node stream: `getReader().read()` and `cancel()`. */
function leanBody(stream: Readable) {
  // A reader sees errors through read(); a body dropped unread or cancelled must not turn its
  // late error (a reset, the abort from destroy()) into an uncaught exception.
  stream.on('error', () => {});
  const cancel = async () => {
    stream.destroy();
  };
  return {
    getReader() {
      const chunks = stream[Symbol.asyncIterator]();
      return {
        read: async () => {
          const next = await chunks.next();
          return next.done
            ? { done: true as const, value: undefined }
            : { done: false as const, value: next.value as Uint8Array };
        },
        cancel,
        releaseLock() {},
      };
    },
    cancel,
  };
}

/** Content-Encoding applied last is undone first; an unknown coding is passed through as is. */
function decoded(body: Readable, encoding: string | null): Readable {
  if (!encoding) return body;
  let out: Readable = body;
  for (const coding of encoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder) continue;
    const next = decoder() as unknown as Readable;
    const from = out;
    from.on('error', (error) => next.destroy(error));
    next.on('close', () => from.destroy());
    out = from.pipe(next as unknown as NodeJS.WritableStream) as unknown as Readable;
  }
  return out;
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const given = (init?.headers ?? {}) as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;
  headers['accept-encoding'] ??= ACCEPT_ENCODING;
  return headers;
}

/** A GET through `dispatcher`, shaped as much like fetch as `probeOnce` needs. */
export function probeFetchVia(dispatcher: Dispatcher): typeof fetch {
  const leanFetch = async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: 'GET',
      headers: headersOf(init),
      signal: init?.signal ?? undefined,
    });
    res.body.on('error', () => {}); // the same, for the raw body under a decoder
    const headers = new LeanHeaders(res.headers);
    const body = decoded(res.body, headers.get('content-encoding'));
    return { status: res.statusCode, headers, body: leanBody(body) };
  };
  // Only probeOnce calls it, and only with what it reads above.
  return leanFetch as unknown as typeof fetch;
}
