/**
 * The two child processes of a run: the target HTTP server and the monitor.
 * Each is forked with this process's exec arguments, which carry tsx's loader,
 * so the .ts entry points run as they do under `npm run bench`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MonitorOptions, RunResult } from './monitor.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const live = new Set<ChildProcess>();

/** Forks a .ts entry point and tracks it until it exits, so an interrupt can stop it. */
function start(file: string, args: string[]): ChildProcess {
  const child = fork(join(HERE, file), args, { execArgv: process.execArgv });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Asks every running child to stop; the monitor cleans up its temp files first. */
export function stopChildren(): void {
  for (const child of live) child.kill('SIGTERM');
}

/** Resolves with the first IPC message, rejects if the child exits before sending one. */
function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code, signal) =>
      reject(new Error(`${what} exited (${code ?? signal}) before reporting`)),
    );
  });
}

export interface TargetServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startTargetServer(mode: string, docRoot: string): Promise<TargetServer> {
  const child = start('target-server.ts', [mode, docRoot]);
  const { port } = await firstMessage<{ port: number }>(child, 'target server');
  return {
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs one monitor process to completion and returns what it measured. */
export async function runMonitor(opts: MonitorOptions): Promise<RunResult> {
  const child = start('monitor.ts', [JSON.stringify(opts)]);
  const exited = once(child, 'exit');
  try {
    const reply = await firstMessage<{ result?: RunResult; error?: string }>(child, 'monitor');
    if (!reply.result) throw new Error(`monitor failed: ${reply.error}`);
    await exited;
    return reply.result;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}
