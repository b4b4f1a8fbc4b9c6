/**
 * An origin that serves files from a directory, and can freeze: while frozen
 * it keeps answering with the bytes it had at the moment of freezing, like
 * the 2017 daemon that held an old mount.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FreezableOrigin {
  url: string;
  freeze(): Promise<void>;
  thaw(): void;
  close(): Promise<void>;
}

export async function startFreezableOrigin(root: string): Promise<FreezableOrigin> {
  let frozen: Map<string, Buffer> | undefined;
  const read = async (path: string) =>
    frozen?.get(path) ??
    (frozen ? undefined : await readFile(join(root, path)).catch(() => undefined));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    void read(path).then((body) =>
      body
        ? res.writeHead(200, { 'content-type': 'application/json' }).end(body)
        : res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    freeze: async () => {
      const snapshot = new Map<string, Buffer>();
      const path = '/freshprobe/canary.json';
      const body = await readFile(join(root, path)).catch(() => undefined);
      if (body) snapshot.set(path, body);
      frozen = snapshot;
    },
    thaw: () => {
      frozen = undefined;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
