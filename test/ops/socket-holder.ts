/**
 * A stand-in for systemd socket activation: the listening socket outlives
 * every `serve` process, so connections made during a restart wait in its
 * queue instead of being refused. The test creates the socket, hands it to a
 * tiny shell supervisor (which never accepts on it) and closes its own
 * copy; each `start` makes the shell launch serve with the socket on fd 3,
 * LISTEN_FDS=1 and LISTEN_PID set to serve's own pid, like systemd does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { bundle } from './support.js';

const SUPERVISOR = `
while read cmd; do
  sh -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' sh "$@" &
  echo "started $!"
done`;

export interface SocketHolder {
  url: string;
  /** Starts one serve on the held socket; resolves with its pid. */
  start(): Promise<number>;
  output(): string;
  close(): Promise<void>;
}

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function holdSocket(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const file = await bundle();
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const shell: ChildProcess = spawn(
    'sh',
    ['-c', SUPERVISOR, 'sh', process.execPath, file, 'serve', ...args],
    { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe', fd] },
  );
  // The shell holds the socket now; this process must never accept on it.
  await new Promise<void>((r) => server.close(() => r()));
  let out = '';
  const waiting: Array<(pid: number) => void> = [];
  shell.stdout!.on('data', (d: Buffer) => {
    out += d;
    for (const m of d.toString().matchAll(/^started (\d+)$/gm)) waiting.shift()?.(Number(m[1]));
  });
  shell.stderr!.on('data', (d) => (out += d));
  const holder: SocketHolder = {
    url: `http://127.0.0.1:${port}`,
    start: () =>
      new Promise<number>((resolve) => {
        waiting.push(resolve);
        shell.stdin!.write('start\n');
      }),
    output: () => out,
    close: async () => {
      shell.stdin!.end();
      shell.kill('SIGTERM');
    },
  };
  return holder;
}
