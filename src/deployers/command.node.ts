/**
 * `command` deployer: publishes through any CLI the host offers (`wrangler
 * pages deploy`, `netlify deploy`, `aws s3 cp`, a script). The canary is a
 * temp file named in FRESHPROBE_CANARY_FILE (and written at `dir` + path when
 * `dir` is set); the command's exit status decides. An argv list runs without
 * a shell; a string runs through /bin/sh -c. The command gets its own process
 * group, so a timeout or abort kills everything it started.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeployError } from '../core/errors.js';
import type { Deployer, DeployReceipt, DeployRequest } from '../core/ports.js';
import { createLocalDirDeployer } from './local-dir.node.js';

export interface CommandDeployerOptions {
  /** argv list (preferred: no shell, no quoting), or a command line for /bin/sh -c. */
  command: string | string[];
  /** Also write the canary at `dir` + the canary path, atomically, before running. */
  dir?: string;
  /** Working directory (default: freshprobe's own). */
  cwd?: string;
  /** Added to the environment; FRESHPROBE_* variables always win over these. */
  env?: Record<string, string>;
  /** Kill the whole process group after this long, ms (default 120 000). */
  timeoutMs?: number;
  /** Environment the command inherits (default `process.env`: PATH, HOME, CLI credentials). */
  baseEnv?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** A command with piped stdout and stderr, no stdin. */
type Child = ChildProcessByStdio<null, Readable, Readable>;

/** How much of the combined output is kept for the receipt or the error. */
const OUTPUT_TAIL = 2048;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  stopped?: 'timeout' | 'aborted';
}

/** Creates the `command` deployer. */
export function createCommandDeployer(opts: CommandDeployerOptions): Deployer {
  const argv = typeof opts.command === 'string' ? ['/bin/sh', '-c', opts.command] : opts.command;
  if (argv.length === 0 || !argv[0]) throw new DeployError('command: the command is empty');
  const now = opts.now ?? Date.now;
  const docroot = opts.dir ? createLocalDirDeployer({ dir: opts.dir, now }) : undefined;
  return {
    kind: 'command',
    async deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      if (signal.aborted)
        throw new DeployError('command: aborted before it started', { retryable: true });
      if (docroot) await docroot.deploy(request, signal);
      const temp = await mkdtemp(join(tmpdir(), 'freshprobe-canary-'));
      try {
        const file = join(temp, basename(request.path) || 'canary');
        await writeFile(file, request.content, { mode: 0o644 });
        const env = { ...(opts.baseEnv ?? process.env), ...opts.env, ...canaryEnv(request, file) };
        const startedAt = now();
        const result = await run(argv, {
          cwd: opts.cwd,
          env,
          timeoutMs: opts.timeoutMs ?? 120_000,
          signal,
        });
        if (result.code !== 0 || result.stopped)
          throw failure(argv, result, opts.timeoutMs ?? 120_000);
        const acceptedAt = now();
        return { startedAt, acceptedAt, detail: lastLine(result.output), output: result.output };
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    },
  };
}

function canaryEnv(req: DeployRequest, file: string): Record<string, string> {
  return {
    FRESHPROBE_CANARY_FILE: file,
    FRESHPROBE_CANARY_PATH: req.path,
    FRESHPROBE_TOKEN: req.token,
    FRESHPROBE_SEQ: String(req.seq),
    FRESHPROBE_SITE: req.siteId,
    FRESHPROBE_MESSAGE: req.message,
  };
}

interface RunOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Both output streams, interleaved as they arrive; only the tail is kept. */
function collectOutput(child: Child): () => string {
  let output = '';
  const keep = (chunk: string) => {
    output += chunk;
    if (output.length > 8 * OUTPUT_TAIL) output = output.slice(-OUTPUT_TAIL);
  };
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', keep);
  return () => output.slice(-OUTPUT_TAIL);
}

/** Kills the process group on timeout or abort, and remembers which came first. */
function watchdog(child: Child, o: RunOptions) {
  let stopped: RunResult['stopped'];
  const kill = (why?: 'timeout' | 'aborted') => {
    stopped ??= why;
    if (child.pid) killGroup(child.pid);
  };
  const timer = setTimeout(() => kill('timeout'), o.timeoutMs);
  const onAbort = () => kill('aborted');
  o.signal.addEventListener('abort', onAbort, { once: true });
  return {
    kill,
    stopped: () => stopped,
    dispose() {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs argv in a new process group and resolves when it exits. Output streams
 * get a short grace after exit: a background child that escaped the group can
 * hold them open forever.
 */
function run(argv: string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collectOutput(child);
    const dog = watchdog(child, o);
    let settled = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      dog.dispose();
      clearTimeout(grace);
      child.stdout.destroy();
      child.stderr.destroy();
      return true;
    };
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settle()) resolve({ code, signal, output: output(), stopped: dog.stopped() });
    };
    child.once('error', (err) => {
      if (settle())
        reject(new DeployError(`command: cannot run ${argv[0]}: ${err.message}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      // Helpers a deploy command left behind have no business outliving it.
      dog.kill();
      grace = setTimeout(() => finish(code, signal), 1000);
    });
    child.once('close', finish);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function failure(argv: string[], r: RunResult, timeoutMs: number): DeployError {
  const name = argv[0] === '/bin/sh' ? 'command' : `command ${basename(argv[0]!)}`;
  const tail = r.output.trim() ? `: ${r.output.trim()}` : ' (no output)';
  if (r.stopped === 'timeout') {
    const msg = `${name} timed out after ${timeoutMs} ms and was killed${tail}`;
    return new DeployError(msg, { retryable: true });
  }
  if (r.stopped === 'aborted')
    return new DeployError(`${name} aborted${tail}`, { retryable: true });
  const how = r.code === null ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  return new DeployError(`${name} ${how}${tail}`);
}

/** The last non-empty output line, cut short: often a deployment URL or id. */
function lastLine(output: string): string | undefined {
  const line = output.trim().split('\n').at(-1)?.trim();
  if (!line) return undefined;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
