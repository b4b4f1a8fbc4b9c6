/**
 * A real nginx origin for tests (DESIGN.md section 7): one foreground master
 * per call, everything it writes (pid, logs, temp paths) kept in its own temp
 * dir so it runs as root or not without touching /etc/nginx or /var.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface NginxOptions {
  /** Directory served as the document root (symlinks are followed). */
  root: string;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Listen port, default a free one (retried if another process grabs it first). */
  port?: number;
  /** Directives pasted inside the `server { }` block, e.g. extra `location`s. */
  extraServerConfig?: string;
  /**
   * Command prefix that execs nginx, e.g. `['unshare', '-m', '--']` to give it its own mount
   * namespace. It must exec (not fork), so `pid` stays the nginx master's.
   */
  wrap?: string[];
}

export interface NginxServer {
  /** `http://host:port/`. */
  url: string;
  host: string;
  port: number;
  /** Pid of the nginx master. */
  pid: number;
  /** Absolute path of the generated nginx.conf (unique per server; handy for pgrep -f). */
  confPath: string;
  /** Access log, one line per request, for tests that count origin hits. */
  accessLogPath: string;
  /** SIGHUP: re-reads the config; resolves once the new workers are running. */
  reload(): Promise<void>;
  /** Graceful stop (SIGQUIT, then SIGTERM, then SIGKILL), then removes the temp dir. */
  close(): Promise<void>;
}

const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const START_TIMEOUT_MS = 10_000;
/** Masters still running, killed if the test process exits without closing them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

class AddressInUse extends Error {}

/** Starts nginx serving `opts.root`; resolves once its port accepts connections. */
export async function startNginx(opts: NginxOptions): Promise<NginxServer> {
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-nginx-'));
  const attempts = opts.port === undefined ? 4 : 1;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort(host));
      try {
        return await launch(dir, host, port, opts);
      } catch (err) {
        if (!(err instanceof AddressInUse) || attempt >= attempts) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(
  dir: string,
  host: string,
  port: number,
  opts: NginxOptions,
): Promise<NginxServer> {
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  await rm(join(dir, 'nginx.pid'), { force: true });
  await writeFile(errorLog, '');
  await writeFile(confPath, renderConf(dir, host, port, opts));
  // -e: nginx logs to its compiled-in path until it has parsed the config.
  const args = ['-p', `${dir}/`, '-e', errorLog, '-c', confPath, '-g', 'daemon off;'];
  const [command, ...rest] = [...(opts.wrap ?? []), NGINX];
  const child = spawn(command!, [...rest, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  try {
    await waitUntilServing(child, dir, host, port, () => stderr);
  } catch (err) {
    await stop(child);
    throw err;
  }
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    host,
    port,
    pid: child.pid!,
    confPath,
    accessLogPath: join(dir, 'access.log'),
    reload: () => reload(child),
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The whole config. `user root` only as root: workers would otherwise run as nobody and not read 0700 temp dirs. */
function renderConf(dir: string, host: string, port: number, opts: NginxOptions): string {
  const q = (p: string) => JSON.stringify(p);
  const listen = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${q(join(dir, t))};`)
    .join('\n');
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${q(join(dir, 'nginx.pid'))};
error_log ${q(join(dir, 'error.log'))} notice;
events { worker_connections 256; }
http {
  access_log ${q(join(dir, 'access.log'))};
${temps}
  types { text/html html; application/json json; text/plain txt; text/css css; application/javascript js; }
  default_type application/octet-stream;
  server {
    listen ${listen};
    server_name _;
    root ${q(opts.root)};
    index index.html;
    disable_symlinks off;
    open_file_cache off;
    etag on;
    add_header Cache-Control "max-age=0" always;
${opts.extraServerConfig ?? ''}
  }
}
`;
}

/**
 * Ready = pid file written (nginx writes it only after binding, so a foreign
 * listener on a reused port cannot fool us) and the port accepts a connection.
 */
async function waitUntilServing(
  child: ChildProcess,
  dir: string,
  host: string,
  port: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    // nginx retries a taken port for 2.5 s; give up at once and pick another.
    if (log.includes('Address already in use')) throw new AddressInUse(log);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${stderr()}${log}`);
    }
    if (existsSync(join(dir, 'nginx.pid')) && (await answers(host, port))) return;
    await sleep(25);
  }
  throw new Error(`nginx did not answer on ${host}:${port} within ${START_TIMEOUT_MS} ms`);
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits for the child's exit, escalating signals so a stuck master cannot hang a test. */
async function stop(child: ChildProcess): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGQUIT', 3000],
    ['SIGTERM', 3000],
    ['SIGKILL', 3000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
    child.kill(signal);
    if (await Promise.race([exited, sleep(waitMs, false)])) return;
  }
}

async function reload(child: ChildProcess): Promise<void> {
  const before = new Set(await childPids(child.pid!));
  child.kill('SIGHUP');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const now = await childPids(child.pid!);
    if (now.some((pid) => !before.has(pid))) return;
    await sleep(25);
  }
  throw new Error('nginx did not start new workers after SIGHUP');
}

/** Children of `parent`, read from /proc (Linux only, like the rest of the bed). */
async function childPids(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) pids.push(Number(entry));
  }
  return pids;
}
