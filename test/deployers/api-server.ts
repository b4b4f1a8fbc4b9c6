/**
 * A tiny HTTP server on 127.0.0.1:0 for the API deployer tests: records every
 * request (method, raw URL, headers, body), lets a test queue canned answers
 * ahead of the real handler (429 with Retry-After, 502, ...), and answers the
 * rest through a fake API's handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Raw request target, percent-encoding untouched (`/projects/acme%2Fdocs/...`). */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** What a handler answers. `json` is serialized with Content-Type: application/json. */
export interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => Answer;

export interface ApiServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: RecordedRequest[];
  /** Answers the next requests with these, in order, before the handler sees any. */
  queue(...answers: Answer[]): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload = answer.text ?? '';
  if (answer.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(answer.json);
  }
  res.writeHead(answer.status, headers).end(payload);
}

/** Starts a server answering through `handler`; close it in afterEach. */
export async function startApiServer(handler: Handler): Promise<ApiServer> {
  const requests: RecordedRequest[] = [];
  const queued: Answer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      let answer: Answer;
      try {
        answer = queued.shift() ?? handler(recorded);
      } catch (error) {
        answer = { status: 500, json: { message: `fake server bug: ${String(error)}` } };
      }
      send(res, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...answers) => queued.push(...answers),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonBody(req: RecordedRequest): unknown {
  try {
    return JSON.parse(req.body);
  } catch {
    return undefined;
  }
}

/** Keys of `value` that are not in `allowed`, for strict "unknown field → 400" checks. */
export function unknownKeys(value: object, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !allowed.includes(k));
}
