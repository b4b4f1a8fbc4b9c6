/**
 * A local HTTP server that misbehaves on purpose, one behaviour per path
 * prefix: what real sites do to monitors (hangs, huge bodies, loops, garbage).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const FIFTY_MIB = 50 * 1024 * 1024;

function hugeBody(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(FIFTY_MIB) });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const pump = () => {
    while (sent < FIFTY_MIB && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

export function zooBehaviours(okRoot: string): Record<string, Behaviour> {
  return {
    ok: (req, res) => {
      readFile(join(okRoot, new URL(req.url ?? '/', 'http://x').pathname)).then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
        () => res.writeHead(404).end('not found'),
      );
    },
    missing: (_req, res) => res.writeHead(404).end('not found'),
    error: (_req, res) => res.writeHead(500).end('internal error'),
    hang: () => {},
    huge: (_req, res) => hugeBody(res),
    loop: (req, res) => res.writeHead(302, { location: req.url ?? '/' }).end(),
    nomarker: (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>hello</body></html>'),
  };
}

export interface Zoo {
  url: string;
  close(): Promise<void>;
}

export async function startZoo(behaviours: Record<string, Behaviour>): Promise<Zoo> {
  const server: Server = createServer((req, res) => {
    const prefix = (req.url ?? '/').split('/')[1] ?? '';
    const behaviour = behaviours[prefix];
    if (behaviour) behaviour(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
