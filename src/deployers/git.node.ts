/**
 * `git` deployer: commits the canary file to a branch and pushes it, the way a
 * person would publish to GitLab/GitHub Pages. Uses the system `git` binary
 * (argv only, never a shell) in a working clone that is reset to the remote
 * branch before every deploy, so it never drifts or piles up local commits.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DeployError } from '../core/errors.js';
import type { Deployer, DeployReceipt, DeployRequest } from '../core/ports.js';
import {
  clearStaleLocks,
  type GitResult,
  gitEnv,
  gitFailure,
  isNonFastForward,
  runGit,
} from './git-exec.node.js';

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

interface GitCallOptions {
  /** Return a failed result instead of throwing. */
  allowFail?: boolean;
  /** Added to the deployer's environment for this call. */
  env?: NodeJS.ProcessEnv;
  /** Default: the clone. */
  cwd?: string;
}

/** One deploy's git runner: argv, the clone as cwd, the deploy's abort signal. */
interface Git {
  (args: string[], opts?: GitCallOptions): Promise<GitResult>;
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
  const { env, secrets } = gitEnv(opts.env ?? process.env, opts);
  const redact = (text: string): string => {
    let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  return {
    opts: { ...opts, workdir: resolve(opts.workdir) },
    env,
    timeoutMs: opts.timeoutMs ?? 120_000,
    now: opts.now ?? Date.now,
    redact,
  };
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
    await clearStaleLocks(workdir, branch);
    // The config may have moved the site to another remote since the clone was made.
    const url = await git(['remote', 'get-url', 'origin'], { allowFail: true });
    if (url.stdout.trim() !== remote) await git(['remote', 'set-url', 'origin', remote]);
    return false;
  }
  if ((await exists(workdir)) && (await readdir(workdir)).length > 0) {
    throw new DeployError(`git: workdir ${workdir} exists, is not empty and is not a git clone`);
  }
  // Built beside workdir, then renamed into place: an interrupted clone never passes for one.
  const stage = `${workdir}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(stage, { recursive: true });
  try {
    const heads = await git(['ls-remote', '--heads', remote, `refs/heads/${branch}`], {
      cwd: stage,
    });
    if (heads.stdout.trim() !== '') {
      const args = ['clone', '-q', '--depth', '1', '--branch', branch, '--single-branch'];
      await git([...args, '--', remote, '.'], { cwd: stage });
    } else {
      // Empty remote, or no such branch yet: the first push creates it.
      await git(['init', '-q', `--initial-branch=${branch}`], { cwd: stage });
      await git(['remote', 'add', 'origin', remote], { cwd: stage });
    }
    await rm(workdir, { recursive: true, force: true }); // at most an empty dir, checked above
    await rename(stage, workdir);
  } finally {
    await rm(stage, { recursive: true, force: true });
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
  const rel = relative(workdir, target);
  if (rel === '' || rel.startsWith('..') || rel.split(sep)[0] === '.git') {
    throw new DeployError(`git: file ${JSON.stringify(file)} is not a path inside the repository`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, req.content);
  await git(['add', '--', rel]);
  const head = await git(['rev-parse', '-q', '--verify', 'HEAD'], { allowFail: true });
  const diff = await git(['diff', '--cached', '--quiet'], { allowFail: true });
  // Same content already on the remote (e.g. resume after a crash past the push): no empty commit.
  if (head.code === 0 && diff.code === 0) return { unchanged: await existingReceipt(ctx, git) };
  // Identity through env: it outranks any user.name/email or GIT_AUTHOR_* the machine has.
  const env = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  const args = ['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify'];
  await git([...args, '--cleanup=whitespace', '-m', req.message], { env });
  return {};
}

/**
 * Receipt for content the remote already had. The true accept time is unknown:
 * the window runs from the commit's time (it was pushed after that) to now.
 */
async function existingReceipt(ctx: Ctx, git: Git): Promise<DeployReceipt> {
  const shown = await git(['show', '-s', '--format=%h %ct', 'HEAD']);
  const [sha = '', committedSec = '0'] = shown.stdout.trim().split(' ');
  const acceptedAt = ctx.now();
  const startedAt = Math.min(Number(committedSec) * 1000, acceptedAt);
  return { startedAt, acceptedAt, detail: sha };
}

function makeGit(ctx: Ctx, signal: AbortSignal): Git {
  const git = async (args: string[], o: GitCallOptions = {}) => {
    const cwd = o.cwd ?? ctx.opts.workdir;
    const r = await runGit(args, { ...ctx, cwd, signal, extraEnv: o.env });
    const op = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? 'git';
    if (r.code !== 0 && !o.allowFail) throw gitFailure(op, r, ctx);
    return r;
  };
  return Object.assign(git, { fail: (op: string, r: GitResult) => gitFailure(op, r, ctx) });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
