/**
 * A site whose canary file can be switched to 404 and back from the test,
 * like a node that restarts and answers 404 while it loads.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface SwitchableSite {
  url: string;
  setMissing(missing: boolean): void;
  close(): Promise<void>;
}

export async function startSwitchableSite(root: string): Promise<SwitchableSite> {
  let missing = false;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (missing) return void res.writeHead(404).end('not found');
    readFile(join(root, path)).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    setMissing: (value) => {
      missing = value;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
