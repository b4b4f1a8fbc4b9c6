/**
 * The built-in demo's "pages platform" (DESIGN.md section 6): freshprobe deploys
 * into `stagingDir`; two nodes publish each staged version after a random
 * delay, node B sometimes much later; an edge answers from a random node, so
 * the dashboard shows propagation, a lagging node and partial staleness live.
 */
import { type FSWatcher, watch } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative, sep } from 'node:path';

/** The running demo platform. */
export interface DemoSite {
  /** Deploy target: the local-dir deployer writes here (canary at `freshprobe/canary.json`). */
  stagingDir: string;
  /** The edge URL users would hit, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  /** `IP:port` of each node, for the fleet prober (`127.0.0.2:PORT` where loopback aliases work). */
  nodes: string[];
  /** Stops watching, cancels pending publishes, closes every server. */
  close(): Promise<void>;
}

export interface DemoSiteOptions {
  /** Randomness in [0, 1), injected by tests. */
  random?: () => number;
  /** Parent of `staging/`; default a temp dir that close() removes. */
  baseDir?: string;
  /** Publish delay range per deploy, default 2000-10000 ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Node B's extra lag (one deploy in three), default 2x-4x maxDelayMs: 20-40 s by default. */
  lagMinMs?: number;
  lagMaxMs?: number;
  /** Structured events (`demo.publish`); paths and versions only. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** One node of the fleet; its published files live in memory, keyed by URL path. */
interface DemoNode {
  name: string;
  files: Map<string, { version: number; body: Buffer }>;
  server: Server;
  address: string;
}

const POLL_MS = 500;
const LAG_CHANCE = 1 / 3;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const HTML = 'text/html; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const TYPES: Record<string, string> = { '.json': 'application/json', '.html': HTML, '.txt': TEXT };

/** Starts the demo platform: an edge on 127.0.0.1 and two nodes, all on loopback. */
export async function startDemoSite(opts: DemoSiteOptions = {}): Promise<DemoSite> {
  const random = opts.random ?? Math.random;
  const ownsBaseDir = opts.baseDir === undefined;
  const baseDir = opts.baseDir ?? (await mkdtemp(join(tmpdir(), 'freshprobe-demo-')));
  const stagingDir = join(baseDir, 'staging');
  await mkdir(stagingDir, { recursive: true });
  const nodes: DemoNode[] = [];
  const edge = createServer((req, res) => proxy(req, res, pick(nodes, random)));
  const port = await listen(edge, 0, '127.0.0.1');
  nodes.push(await startNode('A', '127.0.0.2', port));
  nodes.push(await startNode('B', '127.0.0.3', port));
  const scheduler = createScheduler(nodes, random, opts);
  const stopWatching = watchStaging(stagingDir, scheduler.onVersion);
  return {
    stagingDir,
    url: `http://127.0.0.1:${port}/`,
    nodes: nodes.map((n) => n.address),
    async close() {
      await stopWatching();
      scheduler.cancel();
      await Promise.all([edge, ...nodes.map((n) => n.server)].map(closeServer));
      if (ownsBaseDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
}

/** Binds on its own loopback IP with the edge's port (like a real fleet); else any 127.0.0.1 port. */
async function startNode(name: string, host: string, port: number): Promise<DemoNode> {
  const node = { name, files: new Map() } as DemoNode;
  const handler = (req: IncomingMessage, res: ServerResponse) => serveFile(node, req, res);
  try {
    node.server = createServer(handler);
    node.address = `${host}:${await listen(node.server, port, host)}`;
  } catch {
    node.server = createServer(handler);
    node.address = `127.0.0.1:${await listen(node.server, 0, '127.0.0.1')}`;
  }
  return node;
}

/** Picks each deploy's delays: node A after 2-10 s, node B the same plus, one time in three, a lag. */
function createScheduler(nodes: DemoNode[], random: () => number, opts: DemoSiteOptions) {
  const [min, max] = [opts.minDelayMs ?? 2000, opts.maxDelayMs ?? 10_000];
  const between = (lo: number, hi: number) => lo + random() * Math.max(0, hi - lo);
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => timers.delete(timer) && fn(), ms);
    timers.add(timer);
  };
  const onVersion = (rel: string, version: number, body: Buffer) => {
    // Always three draws per deploy, so tests can script the sequence.
    const delay = between(min, max);
    const lags = random() < LAG_CHANCE;
    const lag = between(opts.lagMinMs ?? 2 * max, opts.lagMaxMs ?? 4 * max);
    const publish = (node: DemoNode) => {
      // A newer version that landed first must not be overwritten by this older one.
      if ((node.files.get(rel)?.version ?? 0) >= version) return;
      node.files.set(rel, { version, body });
      opts.log?.('demo.publish', { node: node.name, path: rel, version });
    };
    later(delay, () => publish(nodes[0]!));
    later(delay + (lags ? lag : 0), () => publish(nodes[1]!));
  };
  return { onVersion, cancel: () => timers.forEach(clearTimeout) };
}

/** fs.watch for speed plus a poll, because fs.watch misses some renames. Returns a stopper. */
function watchStaging(root: string, onVersion: OnVersion): () => Promise<void> {
  const seen = new Map<string, string>();
  const counter = { version: 0 };
  let running: Promise<void> | undefined;
  // A change during a scan is caught by the next poll, at most POLL_MS later.
  const requestScan = () => {
    running ??= scan(root, seen, counter, onVersion).finally(() => {
      running = undefined;
    });
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(root, { recursive: true }, requestScan).on('error', () => {});
  } catch {} // no recursive watch on this platform: the poll alone will do
  const poll = setInterval(requestScan, POLL_MS);
  requestScan();
  return async () => {
    watcher?.close();
    clearInterval(poll);
    await running;
  };
}

type OnVersion = (rel: string, version: number, body: Buffer) => void;

/** Finds files changed since the last scan; a bad file is skipped, never fatal. */
async function scan(
  root: string,
  seen: Map<string, string>,
  counter: { version: number },
  onVersion: OnVersion,
): Promise<void> {
  for (const file of await listFiles(root)) {
    try {
      const info = await lstat(file);
      const stat = `${info.ino}:${info.mtimeMs}:${info.size}`;
      const rel = `/${relative(root, file).split(sep).join('/')}`;
      // Empty = caught between a writer's truncate and write; its next scan has the content.
      if (!info.isFile() || info.size === 0 || info.size > MAX_FILE_BYTES) continue;
      if (seen.get(rel) === stat) continue;
      const body = await readFile(file);
      seen.set(rel, stat);
      onVersion(rel, ++counter.version, body);
    } catch {} // vanished or unreadable between listing and reading: the next scan retries
  }
}

/** Regular files and dirs only (no symlinks: the demo must not publish what they point at); skips dotfiles and *.tmp. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

function serveFile(node: DemoNode, req: IncomingMessage, res: ServerResponse) {
  const headers = { 'cache-control': 'no-store', 'x-served-by': `demo-node-${node.name}` };
  const path = safeDecode(new URL(req.url ?? '/', 'http://demo').pathname);
  const file = node.files.get(path);
  if (path === '/')
    res.writeHead(200, { ...headers, 'content-type': HTML }).end(indexHtml(node.name));
  else if (!file) res.writeHead(404, { ...headers, 'content-type': TEXT }).end('not found\n');
  else {
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'content-type': type, etag: `"v${file.version}"` });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes: no published file has that name, so a 404 follows
  }
}

function indexHtml(node: string): string {
  return `<!doctype html><meta charset="utf-8"><title>freshprobe demo site</title>
<h1>freshprobe demo site</h1>
<p>This is the built-in demo, not a real site: a local "pages platform" of two nodes that publish
deploys after a random delay; node B sometimes lags. This page was served by node ${node}.</p>
<p>The canary lives at <a href="/freshprobe/canary.json">/freshprobe/canary.json</a>.</p>\n`;
}

/** Like DNS round robin: each request goes to a random node. */
function pick(nodes: DemoNode[], random: () => number): DemoNode {
  return nodes[Math.min(nodes.length - 1, Math.floor(random() * nodes.length))]!;
}

function proxy(req: IncomingMessage, res: ServerResponse, node: DemoNode) {
  const [host, port] = node.address.split(':');
  const upstream = request(
    { host, port, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': TEXT });
    res.end('bad gateway\n');
  });
  req.pipe(upstream);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}
