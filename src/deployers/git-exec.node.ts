/**
 * Running git for the `git` deployer: argv only (never a shell), its own
 * process group so a timeout or abort kills the helpers git spawns, and the
 * mapping of git's failure output to a DeployError with git's own reason.
 * Not a deployer kind itself; only git.node.ts imports it.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DeployError } from '../core/errors.js';

/** Outcome of one git invocation. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when freshprobe killed git. */
  stopped?: 'timeout' | 'aborted';
}

/**
 * The environment every git call of a deployer gets, and the secrets to
 * redact from its output. A token for an http(s) remote travels as an HTTP
 * Basic header in GIT_CONFIG_* variables: never in argv (visible in ps), the
 * URL or .git/config.
 */
export function gitEnv(
  base: NodeJS.ProcessEnv,
  auth: { remote: string; token?: string; username?: string },
): { env: NodeJS.ProcessEnv; secrets: string[] } {
  const env: NodeJS.ProcessEnv = {
    ...base,
    // Never wait for a human: no terminal prompt, an askpass that answers nothing.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GCM_INTERACTIVE: 'never',
    // English messages, so failures can be classified.
    LC_ALL: 'C',
    LANGUAGE: 'C',
  };
  if (!env.GIT_SSH_COMMAND && !env.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  if (!auth.token || !/^https?:\/\//i.test(auth.remote)) return { env, secrets: [] };
  const basic = Buffer.from(`${auth.username ?? 'oauth2'}:${auth.token}`).toString('base64');
  // Credential helpers off: the token alone decides, and a 401 cannot erase a stored login.
  const n = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  env[`GIT_CONFIG_KEY_${n}`] = 'http.extraHeader';
  env[`GIT_CONFIG_VALUE_${n}`] = `Authorization: Basic ${basic}`;
  env[`GIT_CONFIG_KEY_${n + 1}`] = 'credential.helper';
  env[`GIT_CONFIG_VALUE_${n + 1}`] = '';
  env.GIT_CONFIG_COUNT = String(n + 2);
  return { env, secrets: [auth.token, basic] };
}

/**
 * A git killed mid-way (timeout, abort, crash) leaves lock files that would
 * fail every later deploy. The clone is this deployer's alone and deploys are
 * serialized, so a lock seen here is always stale.
 */
export async function clearStaleLocks(workdir: string, branch: string): Promise<void> {
  const locks = ['index', 'shallow', 'HEAD', 'config', 'packed-refs', `refs/heads/${branch}`];
  locks.push(`refs/remotes/origin/${branch}`);
  await Promise.all(locks.map((l) => rm(join(workdir, '.git', `${l}.lock`), { force: true })));
}

/** How to run one git invocation. */
export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Runs git in its own process group so a timeout or abort kills helpers too
 * (git-remote-https, ssh), not only the git parent. Resolves with the exit code.
 */
export function runGit(args: string[], o: RunOptions): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    if (o.signal.aborted)
      return resolvePromise({ code: -1, stdout: '', stderr: '', stopped: 'aborted' });
    const env = { ...o.env, ...o.extraEnv };
    const child = spawn('git', args, {
      cwd: o.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stopped: GitResult['stopped'];
    const kill = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      if (child.pid) killGroup(child.pid);
    };
    const timer = setTimeout(() => kill('timeout'), o.timeoutMs);
    const onAbort = () => kill('aborted');
    o.signal.addEventListener('abort', onAbort, { once: true });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const done = () => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      done();
      reject(new DeployError(`git: cannot run git: ${err.message}`, { cause: err }));
    });
    child.once('close', (code) => {
      done();
      resolvePromise({ code: code ?? -1, stdout: stdout(), stderr: stderr(), stopped });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Keeps at most 64 KiB per stream: enough for any error, bounded for a chatty remote. */
function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    if (text.length < 65_536) text += chunk;
  });
  return () => text;
}

/** True when a push was refused only because the remote moved on (someone else pushed). */
export function isNonFastForward(r: GitResult): boolean {
  return /\[rejected\][^\n]*\((fetch first|non-fast-forward)\)/.test(`${r.stdout}\n${r.stderr}`);
}

const AUTH =
  /authentication failed|permission denied|could not read (username|password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|invalid (username|credentials)/i;
const NETWORK =
  /could not resolve (host|proxy)|connection (refused|timed out|reset)|timed out|failed to connect|couldn't connect|network is unreachable|no route to host|early EOF|hung up unexpectedly|RPC failed|returned error: (5\d\d|429)|HTTP (5\d\d|429)|temporary failure/i;
/** The remote looked at the push and said no (hook, protected branch): asking again changes nothing. */
const REFUSED = /\[remote rejected\]|hook declined/i;

/** Turns a failed git call into a DeployError carrying git's own reason, secrets removed. */
export function gitFailure(
  op: string,
  r: GitResult,
  ctx: { redact: (text: string) => string; timeoutMs: number },
): DeployError {
  if (r.stopped === 'timeout') {
    const msg = `git ${op} timed out after ${ctx.timeoutMs} ms and was killed`;
    return new DeployError(msg, { retryable: true });
  }
  if (r.stopped === 'aborted') return new DeployError(`git ${op} aborted`, { retryable: true });
  const text = ctx.redact(`${r.stderr}\n${r.stdout}`);
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '' && l !== 'remote:');
  // git's own reason: hook output (`remote:`), fatal/error lines, refused refs (`!`), ssh.
  const key = lines.filter((l) => /^(remote:|fatal:|error:|!|ssh:)/.test(l));
  const reason = (key.length > 0 ? key : lines.slice(-5)).join('; ') || `exit code ${r.code}`;
  const auth = AUTH.test(text);
  const label = auth && !/authentication failed/i.test(reason) ? 'authentication failed: ' : '';
  return new DeployError(`git ${op} failed: ${label}${reason}`, {
    retryable: !auth && !REFUSED.test(text) && NETWORK.test(text),
  });
}
