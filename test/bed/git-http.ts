/**
 * Test bed: git's smart HTTP protocol on loopback. A node:http server runs
 * `git http-backend` as a CGI per request and demands HTTP Basic auth, so a
 * deployer's token path is exercised against a real server, not a stub.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bedGitEnv } from './git-pages.js';

export interface GitHttpOptions {
  /** Directory whose repos are served: `<url>/<name>.git` is `<projectRoot>/<name>.git`. */
  projectRoot: string;
  /** With both set, every request needs `Authorization: Basic base64(username:password)`. */
  username?: string;
  password?: string;
  /** Environment for http-backend (default: bedGitEnv()). */
  env?: NodeJS.ProcessEnv;
}

export interface GitHttp {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Requests seen, with whether they carried valid credentials (for assertions). */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  close(): Promise<void>;
}

/** Starts the smart-HTTP server on 127.0.0.1 at a free port. */
export async function startGitHttp(opts: GitHttpOptions): Promise<GitHttp> {
  const requests: GitHttp['requests'] = [];
  const expected =
    opts.username !== undefined && opts.password !== undefined
      ? `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
      : undefined;
  const server = createServer((req, res) => {
    const authorized = expected === undefined || req.headers.authorization === expected;
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="freshprobe git bed"' });
      res.end('authentication required\n');
      return;
    }
    runBackend(opts, req, res, expected ? opts.username : undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One CGI invocation of `git http-backend`. */
function runBackend(
  opts: GitHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  user: string | undefined,
): void {
  const url = new URL(req.url ?? '/', 'http://bed');
  const base = opts.env ?? bedGitEnv();
  const env: NodeJS.ProcessEnv = {
    ...base,
    GIT_PROJECT_ROOT: opts.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    // http-backend refuses pushes from anonymous users unless receivepack is on explicitly.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
  };
  if (user !== undefined) env.REMOTE_USER = user;
  const encoding = req.headers['content-encoding'];
  if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
  const length = req.headers['content-length'];
  if (typeof length === 'string') env.CONTENT_LENGTH = length;
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stderr.resume();
  pipeCgiResponse(child.stdout, res);
  child.on('error', () => res.destroy());
  res.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

/** Parses CGI headers (`Status:` becomes the status code), then streams the body. */
function pipeCgiResponse(out: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  out.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const m = /\r?\n\r?\n/.exec(text);
    if (!m) return;
    headersDone = true;
    writeCgiHead(text.slice(0, m.index), res);
    res.write(head.subarray(m.index + m[0].length));
  });
  out.on('end', () => {
    if (!headersDone) res.writeHead(502);
    res.end();
  });
}

function writeCgiHead(block: string, res: ServerResponse): void {
  let status = 200;
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else res.setHeader(name, value);
  }
  res.writeHead(status);
}
