/**
 * Test bed: `git daemon` on loopback for git:// remotes, pushes enabled.
 * `<url>/<name>.git` is `<basePath>/<name>.git`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { bedGitEnv } from './git-pages.js';

export interface GitDaemon {
  /** e.g. `git://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Starts `git daemon` serving every repo under basePath; resolves once it accepts connections. */
export async function startGitDaemon(
  basePath: string,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<GitDaemon> {
  const port = await freePort();
  const args = [
    'daemon',
    '--reuseaddr',
    `--base-path=${basePath}`,
    '--export-all',
    '--enable=receive-pack',
    `--port=${port}`,
    '--listen=127.0.0.1',
    basePath,
  ];
  const child = spawn('git', args, { env: opts.env ?? bedGitEnv(), stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, 5_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: `git://127.0.0.1:${port}`,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A port that was free a moment ago (git daemon cannot be told to pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`git daemon did not listen on ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
