/**
 * A real varnish edge for tests (DESIGN.md section 7): `varnishd -F -j none`
 * in the foreground with its work dir (-n), VCL and logs in one temp dir, so
 * it runs as root without touching /var/lib/varnish. `-j none` is what lets
 * root run it without the varnish users. The VCL fronts one or more backends
 * with a round-robin director and gives 200 responses a fixed TTL.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { sq } from './shell.js';
import { edgeVcl, SYNTH_503_VCL } from './vcl.js';

const execFileP = promisify(execFile);

export interface VarnishOptions {
  /** Nodes behind the edge, taken in turn (round robin). */
  backends: Array<{ host: string; port: number }>;
  /** TTL of 200 responses, seconds, with no grace; 0 passes every request to a backend. */
  ttlSeconds: number;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Listen port, default a free one. */
  port?: number;
}

export interface VarnishEdge {
  /** `http://host:port/`. */
  url: string;
  host: string;
  port: number;
  /** Pid of the varnishd manager. */
  pid: number;
  /** Temp dir with the VCL and varnishd's work dir (-n); close() removes it. */
  dir: string;
  /** Runs `varnishadm` against this instance; resolves with its output. */
  admin(args: string[]): Promise<string>;
  /** Bans every cached object. */
  purgeAll(): Promise<void>;
  /**
   * A shell command that purges everything and then fetches `path` through the edge, which
   * caches whatever the backend serves at that instant for a whole TTL: the classic purge that
   * races a publish. Meant for a publisher's `beforeSwap`.
   */
  purgeAndRefillCommand(path: string): string;
  /** Switches to a VCL that answers 503 to everything; resolves with when it took effect. */
  startBurst(): Promise<number>;
  /** Back to the normal VCL; resolves with when it took effect. */
  endBurst(): Promise<number>;
  /** SIGTERM (then SIGKILL), then removes the temp dir. */
  close(): Promise<void>;
}

const VARNISHD = '/usr/sbin/varnishd';
const START_TIMEOUT_MS = 15_000;
/** Managers still running, killed if the test process exits without closing them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts varnishd; resolves once the edge answers HTTP (any status). */
export async function startVarnish(opts: VarnishOptions): Promise<VarnishEdge> {
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-varnish-'));
  const attempts = opts.port === undefined ? 3 : 1;
  try {
    await writeFile(join(dir, 'edge.vcl'), edgeVcl(opts.backends, opts.ttlSeconds));
    await writeFile(join(dir, 'burst.vcl'), SYNTH_503_VCL);
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort(host));
      try {
        return await launch(dir, host, port);
      } catch (err) {
        if (attempt >= attempts) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(dir: string, host: string, port: number): Promise<VarnishEdge> {
  const workDir = join(dir, `n-${port}`);
  const adminPort = await freePort();
  // Small thread pools and log space: a test edge sees a few requests a second.
  const args = ['-F', '-j', 'none', '-a', `${host}:${port}`, '-T', `127.0.0.1:${adminPort}`];
  args.push('-n', workDir, '-f', join(dir, 'edge.vcl'), '-s', 'malloc,32m', '-l', '2m');
  args.push('-p', 'thread_pools=1', '-p', 'thread_pool_min=5', '-p', 'thread_pool_max=100');
  const child = spawn(VARNISHD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  live.add(child);
  child.once('exit', () => live.delete(child));
  try {
    await waitUntilAnswering(child, `http://${host}:${port}/`, () => output);
  } catch (err) {
    await stop(child);
    throw err;
  }
  return edgeApi(child, { dir, workDir, host, port });
}

function edgeApi(
  child: ChildProcess,
  at: { dir: string; workDir: string; host: string; port: number },
): VarnishEdge {
  const { dir, workDir, host, port } = at;
  const admin = async (cmd: string[]) =>
    (await execFileP('varnishadm', ['-n', workDir, ...cmd], { timeout: 10_000 })).stdout;
  const use = async (name: string) => {
    await admin(['vcl.use', name]);
    return Date.now();
  };
  let burstLoaded = false;
  return {
    url: `http://${host}:${port}/`,
    host,
    port,
    pid: child.pid!,
    dir,
    admin,
    purgeAll: async () => void (await admin(['ban', 'req.url', '~', '.'])),
    purgeAndRefillCommand: (path) => {
      // bash's /dev/tcp: a node or curl start-up would delay the publish it races by a second.
      // The Host header is the edge's own, as probes send it, so the object is theirs.
      const request = `GET ${path} HTTP/1.0\r\nHost: ${host}:${port}\r\n\r\n`;
      const get = `exec 3<>/dev/tcp/${host}/${port}; printf '${request}' >&3; cat <&3 >/dev/null`;
      return `varnishadm -n ${sq(workDir)} ban req.url '~' . >/dev/null && bash -c ${sq(get)}`;
    },
    startBurst: async () => {
      // Compiling takes about a second: before the burst starts, not inside it.
      if (!burstLoaded) await admin(['vcl.load', 'burst', join(dir, 'burst.vcl')]);
      burstLoaded = true;
      return use('burst');
    },
    endBurst: () => use('boot'),
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAnswering(child: ChildProcess, url: string, output: () => string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`varnishd exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    }
    // Any HTTP answer will do: a 503 only means the backends are not up yet.
    const res = await fetch(new URL('/.freshprobe-bed-ready', url)).catch(() => undefined);
    if (res) {
      await res.body?.cancel();
      return;
    }
    await sleep(50);
  }
  throw new Error(`varnishd did not answer on ${url} within ${START_TIMEOUT_MS} ms: ${output()}`);
}

/** The manager stops its cache child on SIGTERM; SIGKILL if that hangs. */
async function stop(child: ChildProcess): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGTERM', 5000],
    ['SIGKILL', 3000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
    child.kill(signal);
    if (await Promise.race([exited, sleep(waitMs, false)])) return;
  }
}
