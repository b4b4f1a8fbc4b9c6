/**
 * The load generators of the status page bench. `wrk` (C, from apt) when it
 * is installed: on a 2-core machine the client shares the cores with the
 * server, and wrk needs a fraction of the CPU autocannon (Node) needs for the
 * same rate, so more of the machine measures the server. autocannon otherwise.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

export type Client = 'wrk' | 'autocannon';

export interface LoadResult {
  rps: number;
  /** Client-side latency, ms. */
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
}

const run = promisify(execFile);

export async function wrkAvailable(): Promise<boolean> {
  try {
    await run('wrk', ['--version']);
    return true;
  } catch (error) {
    // wrk prints its version and exits 1.
    return (error as { stdout?: string }).stdout?.includes('wrk') ?? false;
  }
}

function ms(text: string | undefined): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text ?? '');
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const threads = String(Math.min(2, connections));
  const { stdout } = await run('wrk', [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    url,
  ]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1]),
    errors: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

async function cannon(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const r = await autocannon({ url, duration: seconds, connections });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

export function load(client: Client, url: string, seconds: number, connections: number) {
  return client === 'wrk' ? wrk(url, seconds, connections) : cannon(url, seconds, connections);
}
