/**
 * Loopback addresses for a fleet: Linux routes all of 127/8 to `lo`, so nodes
 * can share one port on 127.0.0.2, 127.0.0.3, ... like servers behind one DNS
 * name, and the `nodes` vantage names them `node:127.0.0.x` (no port suffix)
 * when the edge listens on that same port on 127.0.0.1.
 */
import { createServer, type Server } from 'node:net';
import { freePort } from './free-port.js';

/** `127.0.0.<first>`, `127.0.0.<first+1>`, ... `count` addresses. */
export function loopbackAddresses(count: number, first = 2): string[] {
  if (first + count > 255) throw new Error(`too many loopback addresses: ${count}`);
  return Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
}

function listen(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * A port that was free on every address a moment ago. As with freePort, the
 * servers that bind it later can still lose a race, so callers retry once.
 */
export async function portFreeOnAll(hosts: string[], attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freePort(hosts[0]);
    const held = await Promise.all(hosts.map((h) => listen(h, port)));
    await Promise.all(held.map((s) => s && new Promise((r) => s.close(() => r(undefined)))));
    if (held.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}
