/**
 * Real loopback servers for the prober tests: HTTP, HTTPS (self-signed via openssl) and raw TCP
 * for behaviour no HTTP server library will produce (silence, garbage). Every server registers
 * itself so `closeAll()` in afterEach/afterAll leaves nothing running.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** TLS SNI the client sent, for HTTPS servers. */
  servername?: string;
}

export interface TestServer {
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT` (or https), no trailing slash. */
  origin: string;
  /** TCP connections accepted so far. */
  connections: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const open = new Set<TestServer>();

/** Closes every server started by these helpers (idempotent). */
export async function closeAll(): Promise<void> {
  const servers = [...open];
  open.clear();
  await Promise.all(servers.map((s) => s.close()));
}

async function listen(server: net.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

function track(server: net.Server, host: string, port: number, scheme: string): TestServer {
  const sockets = new Set<net.Socket>();
  const urlHost = net.isIPv6(host) ? `[${host}]` : host;
  const handle: TestServer = {
    host,
    port,
    origin: `${scheme}://${urlHost}:${port}`,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(handle);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  // 'secureConnection' for TLS, so a failed handshake is not counted as a connection.
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', () => handle.connections++);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  open.add(handle);
  return handle;
}

export interface StartOptions {
  host?: string;
  port?: number;
  tls?: { key: string; cert: string };
}

/** An HTTP(S) server that records every request, then hands it to `handler`. */
export async function startHttp(handler: Handler, options: StartOptions = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  let handle: TestServer | undefined;
  const onRequest: Handler = (req, res) => {
    const servername = (req.socket as { servername?: string }).servername;
    handle?.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      servername,
    });
    handler(req, res);
  };
  const server = options.tls
    ? https.createServer(options.tls, onRequest)
    : http.createServer(onRequest);
  const port = await listen(server, host, options.port ?? 0);
  handle = track(server, host, port, options.tls ? 'https' : 'http');
  return handle;
}

/** A raw TCP server: `onSocket` decides what (if anything) the client gets. */
export async function startRaw(
  onSocket: (socket: net.Socket) => void,
  host = '127.0.0.1',
): Promise<TestServer> {
  const server = net.createServer(onSocket);
  const port = await listen(server, host, 0);
  return track(server, host, port, 'http');
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, '127.0.0.1', 0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fresh self-signed certificate for `names` (first is the CN), valid one day. */
export function selfSignedCert(...names: string[]): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'freshprobe-cert-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const san = names.map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'];
    args.push(
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      key,
      '-out',
      cert,
    );
    execFileSync('openssl', args, { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Streams `total` bytes honouring backpressure and stops when the client goes away;
 * resolves with how many bytes were handed to the socket.
 */
export function streamBytes(res: http.ServerResponse, total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  return new Promise((resolve) => {
    res.on('close', () => resolve(sent));
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
}
