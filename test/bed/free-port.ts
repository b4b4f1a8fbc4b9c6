/**
 * Free TCP ports for test servers that cannot listen on port 0 themselves
 * (nginx, varnishd take a port in their config).
 */
import { createServer } from 'node:net';

/**
 * Returns a port that was free on `host` a moment ago. Another process can
 * take it before the caller binds, so callers that start external servers
 * retry with a new port on EADDRINUSE.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) =>
        err || port === 0 ? reject(err ?? new Error('no port')) : resolve(port),
      );
    });
  });
}
