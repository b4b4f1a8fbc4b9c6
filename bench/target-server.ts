/**
 * The site the benchmark probes, run in its own process (forked by run.ts) so
 * its CPU is not billed to the monitor. Listens on 127.0.0.1 port 0 and tells
 * the parent its port over IPC.
 *
 * Modes (argv[2]):
 * - `404`: every path is 404. Before any canary was ever visible, a 404 is
 *   judged `propagating` (the file has not arrived yet), so every canary stays
 *   open and every observation is stored: no deploy ever shows up.
 * - `stale` (argv[3] = document root): a stuck daemon, the 2017 outage shape.
 *   The first successful read of a path is served forever, so the first
 *   canary becomes visible and every later one is `propagating` behind it.
 *   This drives the heavier judging path (marker parse, canary look-ups).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const mode = process.argv[2] ?? '404';
const root = process.argv[3] ?? '';
const frozen = new Map<string, string>();

async function staleBody(path: string): Promise<string | undefined> {
  const cached = frozen.get(path);
  if (cached !== undefined) return cached;
  // normalize() then a leading '.' keeps the read under root even for '/../' paths.
  const body = await readFile(join(root, `.${normalize(path)}`), 'utf8').catch(() => undefined);
  if (body !== undefined) frozen.set(path, body);
  return body;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const answer = mode === 'stale' ? staleBody(path) : Promise.resolve(undefined);
  void answer.then((body) => {
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.send?.({ port: address.port });
});

// The parent going away (crash or kill) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
