/**
 * `github-api` deployer: commits the canary through GitHub's contents API
 * (`PUT /repos/:owner/:repo/contents/:path`), no clone and no git binary, so it
 * also runs in a Worker. Updating needs the file's current blob sha, read
 * first; a concurrent change (409, or 422 about the sha) refetches it and tries
 * once more. Optionally follows the Pages build of the commit.
 */
import { DeployError } from '../core/errors.js';
import type { Deployer, DeployPhase, DeployReceipt, DeployRequest } from '../core/ports.js';
import { type FollowOutcome, follow, unfinishedPhase } from './follow.js';
import {
  type ApiClient,
  type ApiReply,
  apiFailure,
  apiMessage,
  createApiClient,
  retryAfterMs,
} from './http-api.js';

export interface GithubApiDeployerOptions {
  /** API root, default https://api.github.com; GitHub Enterprise: https://HOST/api/v3. */
  baseUrl?: string;
  /** `owner/name`. */
  repo: string;
  branch: string;
  /** Canary file path inside the repository, e.g. `docs/freshprobe/canary.json`. */
  file: string;
  /** Token with Contents: write (fine-grained) or `repo` (classic); sent as a Bearer token. */
  token: string;
  /** Wait for the Pages build of the commit and report it as phases; `errored` fails the deploy. */
  followPages?: boolean;
  /** How long to wait for the Pages build, ms (default 600 000). */
  pagesTimeoutMs?: number;
  /** Between Pages polls, ms (default 5 000). */
  pollIntervalMs?: number;
  fetch: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface Ctx {
  opts: GithubApiDeployerOptions;
  api: ApiClient;
  /** `${base}/repos/${owner}/${name}` */
  repoUrl: string;
  headers: Record<string, string>;
  now: () => number;
}

const LABEL = 'github-api';

/**
 * GitHub's rate limits answer 403 or 429: wait for Retry-After if given, else
 * until x-ratelimit-reset when x-ratelimit-remaining is 0 (GitHub's documented order).
 */
export function githubRetryWait(reply: ApiReply, nowMs: number): number | undefined {
  if (reply.status !== 403 && reply.status !== 429) return undefined;
  const after = retryAfterMs(reply.headers, nowMs);
  if (after !== undefined) return after;
  if (reply.headers.get('x-ratelimit-remaining') !== '0') return undefined;
  const reset = Number(reply.headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - nowMs) : undefined;
}

/** UTF-8 text as base64 without Buffer, so this file runs in Workers too. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

function makeCtx(opts: GithubApiDeployerOptions): Ctx {
  const now = opts.now ?? Date.now;
  const base = (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const retryWait = githubRetryWait;
  return {
    opts,
    api: createApiClient({ label: LABEL, fetch: opts.fetch, now, sleep: opts.sleep, retryWait }),
    repoUrl: `${base}/repos/${encodePath(opts.repo)}`,
    headers: {
      Authorization: `Bearer ${opts.token}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'freshprobe',
    },
    now,
  };
}

/** Creates the `github-api` deployer. */
export function createGithubApiDeployer(opts: GithubApiDeployerOptions): Deployer {
  const ctx = makeCtx(opts);
  return {
    kind: 'github-api',
    async deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      let sha = await currentSha(ctx, signal);
      let startedAt = ctx.now();
      let reply = await putFile(ctx, request, sha, signal);
      if (isShaConflict(reply)) {
        // Someone changed the file between our read and our write: read again, write once more.
        sha = await currentSha(ctx, signal);
        startedAt = ctx.now();
        reply = await putFile(ctx, request, sha, signal);
      }
      if (reply.status !== 200 && reply.status !== 201) throw writeFailure(ctx, reply);
      const acceptedAt = ctx.now();
      const commit = (reply.body as { commit?: { sha?: string } } | undefined)?.commit?.sha ?? '';
      const receipt: DeployReceipt = { startedAt, acceptedAt, detail: commit.slice(0, 7) };
      if (opts.followPages) receipt.phases = await followPages(ctx, commit, signal);
      return receipt;
    },
  };
}

/** The file's blob sha on the branch, undefined when it does not exist yet. */
async function currentSha(ctx: Ctx, signal: AbortSignal): Promise<string | undefined> {
  const query = new URLSearchParams({ ref: ctx.opts.branch });
  const url = `${ctx.repoUrl}/contents/${encodePath(ctx.opts.file)}?${query}`;
  const reply = await ctx.api.call({ method: 'GET', url, headers: ctx.headers }, signal);
  if (reply.status === 200) {
    const body = reply.body as { type?: string; sha?: string } | unknown[];
    if (Array.isArray(body) || body.type !== 'file' || !body.sha) {
      throw new DeployError(`${LABEL}: ${ctx.opts.file} on ${ctx.opts.branch} is not a file`);
    }
    return body.sha;
  }
  // 404 is also the answer for a missing repository or branch; the PUT then says which.
  if (reply.status === 404 && !/no commit found/i.test(apiMessage(reply))) return undefined;
  throw writeFailure(ctx, reply, 'read');
}

function putFile(
  ctx: Ctx,
  req: DeployRequest,
  sha: string | undefined,
  signal: AbortSignal,
): Promise<ApiReply> {
  const json: Record<string, string> = {
    message: req.message,
    content: base64(req.content),
    branch: ctx.opts.branch,
  };
  if (sha) json.sha = sha;
  const url = `${ctx.repoUrl}/contents/${encodePath(ctx.opts.file)}`;
  return ctx.api.call({ method: 'PUT', url, headers: ctx.headers, json }, signal);
}

function isShaConflict(reply: ApiReply): boolean {
  return reply.status === 409 || (reply.status === 422 && /sha/i.test(apiMessage(reply)));
}

/** What a refusal most likely means, with GitHub's own words after it. */
function writeFailure(ctx: Ctx, reply: ApiReply, op = 'write'): DeployError {
  const { repo, branch } = ctx.opts;
  const message = apiMessage(reply);
  const reset = Number(reply.headers.get('x-ratelimit-reset'));
  if (reply.status === 403 && reply.headers.get('x-ratelimit-remaining') === '0' && reset > 0) {
    const until = new Date(reset * 1000).toISOString();
    return apiFailure(
      LABEL,
      `${op} ${ctx.opts.file}`,
      reply,
      `rate limit exhausted until ${until}`,
      true,
    );
  }
  let hint: string | undefined;
  if (reply.status === 401) hint = 'the token was refused (invalid, expired or revoked)';
  else if (reply.status === 403) {
    hint = 'the token may not write here (it needs Contents: write, or the repo scope)';
  } else if (/no commit found|branch.*not found/i.test(message)) {
    hint = `branch "${branch}" does not exist; create it first`;
  } else if (reply.status === 404)
    hint = `repository "${repo}" not found, or the token cannot see it`;
  return apiFailure(LABEL, `${op} ${ctx.opts.file}`, reply, hint);
}

interface PagesBuild {
  status?: string;
  commit?: string;
  error?: { message?: string | null };
}

/** Polls the latest Pages build until it is the one for `commit` and has finished. */
async function followPages(ctx: Ctx, commit: string, signal: AbortSignal): Promise<DeployPhase[]> {
  const { opts } = ctx;
  const url = `${ctx.repoUrl}/pages/builds/latest`;
  const timing = {
    intervalMs: opts.pollIntervalMs ?? 5_000,
    timeoutMs: opts.pagesTimeoutMs ?? 600_000,
    now: ctx.now,
    sleep: opts.sleep,
  };
  let outcome: FollowOutcome<PagesBuild>;
  try {
    outcome = await follow(timing, signal, async () => {
      const reply = await ctx.api.call({ method: 'GET', url, headers: ctx.headers }, signal);
      if (reply.status !== 200) throw apiFailure(LABEL, 'Pages build lookup', reply);
      const build = (reply.body ?? {}) as PagesBuild;
      if (build.commit !== commit) return { done: false, status: 'no build of this commit yet' };
      if (build.status === 'built' || build.status === 'errored')
        return { done: true, value: build };
      return { done: false, status: build.status ?? 'unknown' };
    });
  } catch (error) {
    // The commit is in: without build information the canary's probes decide.
    outcome = { done: false, why: 'lookup failed', status: (error as Error).message };
  }
  if (!outcome.done) return [unfinishedPhase('pages', outcome, ctx.now())];
  if (outcome.value.status === 'errored') {
    const why = outcome.value.error?.message ?? 'no reason given';
    throw new DeployError(`${LABEL}: Pages build of ${commit.slice(0, 7)} errored: ${why}`);
  }
  return [{ name: 'pages_built', at: ctx.now(), detail: commit.slice(0, 7) }];
}
