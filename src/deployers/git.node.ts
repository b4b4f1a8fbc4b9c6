/**
 * `git` deployer: commits the canary file to a branch and pushes it, the way a
 * person would publish to GitLab/GitHub Pages. Uses the system `git` binary
 * (argv only, never a shell) in a working clone that is reset to the remote
 * branch before every deploy, so it never drifts or piles up local commits.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DeployError } from '../core/errors.js';
import type { Deployer, DeployReceipt, DeployRequest } from '../core/ports.js';

export interface GitDeployerOptions {
  /** Remote URL: https://, http://, ssh (scp-like or ssh://), git://, file:// or a path. */
  remote: string;
  branch: string;
  /** Canary file path inside the repository, e.g. `public/freshprobe/canary.json`. */
  file: string;
  /** For http(s) remotes: sent as an HTTP Basic header through the environment, never stored. */
  token?: string;
  /** Basic-auth user paired with the token; `oauth2` (what GitLab accepts for tokens). */
  username?: string;
  author: { name: string; email: string };
  /** Directory of the deployer's own clone; created on first deploy, reused after. */
  workdir: string;
  /** Per git invocation, ms (default 120 000). The process group is killed past it. */
  timeoutMs?: number;
  now?: () => number;
  /** Base environment for git (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

interface Ctx {
  opts: GitDeployerOptions;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  now: () => number;
  redact: (text: string) => string;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when freshprobe killed git. */
  stopped?: 'timeout' | 'aborted';
}

/** One deploy's git runner: argv, the clone as cwd, the deploy's abort signal. */
interface Git {
  (args: string[], opts?: { allowFail?: boolean; env?: NodeJS.ProcessEnv }): Promise<GitResult>;
  fail(op: string, r: GitResult): DeployError;
}

/** Creates the `git` deployer. Deploys through one instance run one at a time. */
export function createGitDeployer(opts: GitDeployerOptions): Deployer {
  if (opts.remote.startsWith('-') || opts.branch.startsWith('-')) {
    throw new DeployError('git: remote and branch must not start with "-"');
  }
  const ctx = makeCtx(opts);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    kind: 'git',
    deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      const run = queue.then(() => deployOnce(ctx, request, signal));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      await queue;
    },
  };
}

function makeCtx(opts: GitDeployerOptions): Ctx {
  const secrets: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...(opts.env ?? process.env),
    // Never wait for a human: no terminal prompt, an askpass that answers nothing.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GCM_INTERACTIVE: 'never',
    // English messages, so failures can be classified.
    LC_ALL: 'C',
    LANGUAGE: 'C',
  };
  if (!env.GIT_SSH_COMMAND && !env.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  if (opts.token && /^https?:\/\//i.test(opts.remote)) {
    const basic = Buffer.from(`${opts.username ?? 'oauth2'}:${opts.token}`).toString('base64');
    secrets.push(opts.token, basic);
    // GIT_CONFIG_* keeps the header out of argv (visible in ps) and .git/config.
    const n = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
    env[`GIT_CONFIG_KEY_${n}`] = 'http.extraHeader';
    env[`GIT_CONFIG_VALUE_${n}`] = `Authorization: Basic ${basic}`;
    env.GIT_CONFIG_COUNT = String(n + 1);
  }
  const redact = (text: string): string => {
    let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  return { opts, env, timeoutMs: opts.timeoutMs ?? 120_000, now: opts.now ?? Date.now, redact };
}

async function deployOnce(
  ctx: Ctx,
  req: DeployRequest,
  signal: AbortSignal,
): Promise<DeployReceipt> {
  const { branch } = ctx.opts;
  const git = makeGit(ctx, signal);
  const fresh = await ensureClone(ctx, git);
  if (!fresh) await syncToRemote(git, branch);
  const first = await commitCanary(ctx, git, req);
  if (first.unchanged) return first.unchanged;
  let startedAt = ctx.now();
  const pushArgs = ['push', '--porcelain', '--no-verify', 'origin', `HEAD:refs/heads/${branch}`];
  let push = await git(pushArgs, { allowFail: true });
  if (push.code !== 0 && isNonFastForward(push)) {
    // Someone pushed in between: replay our one-file change on their tip, push once more.
    await syncToRemote(git, branch);
    const again = await commitCanary(ctx, git, req);
    if (again.unchanged) return again.unchanged;
    startedAt = ctx.now();
    push = await git(pushArgs, { allowFail: true });
  }
  if (push.code !== 0) throw git.fail('push', push);
  const acceptedAt = ctx.now();
  const sha = (await git(['rev-parse', '--short', 'HEAD'])).stdout.trim();
  return { startedAt, acceptedAt, detail: sha };
}

/**
 * Makes `workdir` a clone of the remote branch. Returns true when it was just
 * created (already in sync, no fetch needed).
 */
async function ensureClone(ctx: Ctx, git: Git): Promise<boolean> {
  const { workdir, remote, branch } = ctx.opts;
  if (await exists(join(workdir, '.git'))) {
    // The config may have moved the site to another remote since the clone was made.
    const url = await git(['remote', 'get-url', 'origin'], { allowFail: true });
    if (url.stdout.trim() !== remote) await git(['remote', 'set-url', 'origin', remote]);
    return false;
  }
  if ((await exists(workdir)) && (await readdir(workdir)).length > 0) {
    throw new DeployError(`git: workdir ${workdir} exists, is not empty and is not a git clone`);
  }
  await mkdir(workdir, { recursive: true });
  const heads = await git(['ls-remote', '--heads', remote, `refs/heads/${branch}`]);
  if (heads.stdout.trim() !== '') {
    const args = ['clone', '-q', '--depth', '1', '--branch', branch, '--single-branch'];
    await git([...args, '--', remote, '.']);
  } else {
    // Empty remote, or no such branch yet: the first push creates it.
    await git(['init', '-q', `--initial-branch=${branch}`]);
    await git(['remote', 'add', 'origin', remote]);
  }
  return true;
}

/** fetch + hard reset: the clone always starts a deploy exactly at the remote tip. */
async function syncToRemote(git: Git, branch: string): Promise<void> {
  const tracking = `refs/remotes/origin/${branch}`;
  const refspec = `+refs/heads/${branch}:${tracking}`;
  const fetch = await git(['fetch', '-q', '--depth', '1', '--no-tags', 'origin', refspec], {
    allowFail: true,
  });
  if (fetch.code === 0) {
    await git(['checkout', '-q', '-f', '--no-track', '-B', branch, tracking]);
  } else if (/couldn't find remote ref/i.test(fetch.stderr)) {
    // The branch vanished (or never got pushed): start over from an empty, unborn branch.
    await git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
    await git(['update-ref', '-d', `refs/heads/${branch}`], { allowFail: true });
    await git(['read-tree', '--empty']);
  } else {
    throw git.fail('fetch', fetch);
  }
  await git(['clean', '-q', '-ffdx']);
}

/** Writes and commits the canary; `unchanged` when the branch already has exactly this content. */
async function commitCanary(
  ctx: Ctx,
  git: Git,
  req: DeployRequest,
): Promise<{ unchanged?: DeployReceipt }> {
  const { workdir, file, author } = ctx.opts;
  const target = resolve(workdir, file);
  const rel = relative(resolve(workdir), target);
  if (rel === '' || rel.startsWith('..') || rel.split(sep)[0] === '.git') {
    throw new DeployError(`git: file ${JSON.stringify(file)} is not a path inside the repository`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, req.content);
  await git(['add', '--', rel]);
  const head = await git(['rev-parse', '-q', '--verify', 'HEAD'], { allowFail: true });
  const diff = await git(['diff', '--cached', '--quiet'], { allowFail: true });
  if (head.code === 0 && diff.code === 0) {
    // Same content already on the remote (e.g. resume after a crash past the push): no empty commit.
    const [sha = '', ct = '0'] = (await git(['show', '-s', '--format=%h %ct', 'HEAD'])).stdout
      .trim()
      .split(' ');
    const acceptedAt = ctx.now();
    return {
      unchanged: { startedAt: Math.min(Number(ct) * 1000, acceptedAt), acceptedAt, detail: sha },
    };
  }
  // Identity through env: it outranks any user.name/email or GIT_AUTHOR_* the machine has.
  const env = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  const args = [
    '-c',
    'commit.gpgsign=false',
    'commit',
    '-q',
    '--no-verify',
    '--cleanup=whitespace',
  ];
  await git([...args, '-m', req.message], { env });
  return {};
}

function isNonFastForward(r: GitResult): boolean {
  return /\[rejected\][^\n]*\((fetch first|non-fast-forward)\)/.test(`${r.stdout}\n${r.stderr}`);
}

const AUTH =
  /authentication failed|permission denied|could not read (username|password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|invalid (username|credentials)/i;
const NETWORK =
  /could not resolve (host|proxy)|connection (refused|timed out|reset)|timed out|failed to connect|network is unreachable|no route to host|early EOF|hung up unexpectedly|RPC failed|returned error: 5\d\d|HTTP 5\d\d|temporary failure/i;

function makeGit(ctx: Ctx, signal: AbortSignal): Git {
  const git = async (args: string[], o: { allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}) => {
    const r = await runGit(args, { ...ctx, cwd: ctx.opts.workdir, signal, extraEnv: o.env });
    if (r.code !== 0 && !o.allowFail) throw gitError(ctx, args[0] ?? 'git', r);
    return r;
  };
  return Object.assign(git, { fail: (op: string, r: GitResult) => gitError(ctx, op, r) });
}

/** Turns a failed git call into a DeployError carrying git's own reason, secrets removed. */
function gitError(ctx: Ctx, op: string, r: GitResult): DeployError {
  if (r.stopped) {
    const why = r.stopped === 'timeout' ? `timed out after ${ctx.timeoutMs} ms` : 'aborted';
    return new DeployError(`git ${op} ${why}; git was killed`, { retryable: true });
  }
  const text = ctx.redact(`${r.stderr}\n${r.stdout}`);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'remote:');
  const key = lines.filter((l) => /^(remote:|fatal:|error:|!|ssh:)/.test(l));
  const reason = (key.length > 0 ? key : lines.slice(-5)).join('; ') || `exit code ${r.code}`;
  const auth = AUTH.test(text);
  const label = auth ? 'authentication failed: ' : '';
  return new DeployError(`git ${op} failed: ${label}${reason}`, {
    retryable: !auth && NETWORK.test(text),
  });
}

interface RunOptions {
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
function runGit(args: string[], o: RunOptions): Promise<GitResult> {
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
