/**
 * `gitlab-api` deployer: commits the canary through GitLab's Commits API
 * (`POST /projects/:id/repository/commits`), no clone and no git binary, so it
 * also runs in a Worker. GitLab has no upsert: `update` answers 400 "A file
 * with this name doesn't exist" on the first canary and `create` answers 400
 * "already exists" after it, so the deployer sends `update` and switches when
 * told otherwise (at most twice, for a file created or deleted concurrently).
 * Optionally follows the commit's pipeline.
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
} from './http-api.js';

export interface GitlabApiDeployerOptions {
  /** GitLab instance, default https://gitlab.com (a trailing /api/v4 is accepted). */
  baseUrl?: string;
  /** Numeric project id, a path like `group/repo`, or the encoded `group%2Frepo`. */
  project: string | number;
  branch: string;
  /** Canary file path inside the repository, e.g. `public/freshprobe/canary.json`. */
  file: string;
  /** Access token with the `api` scope, sent as `PRIVATE-TOKEN`. */
  token: string;
  /** Wait for the commit's pipeline and report it as phases; a failed one fails the deploy. */
  followPipeline?: boolean;
  /** How long to wait for the pipeline, ms (default 600 000). */
  pipelineTimeoutMs?: number;
  /** Between pipeline polls, ms (default 5 000). */
  pollIntervalMs?: number;
  fetch: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

type Action = 'create' | 'update';

interface Ctx {
  opts: GitlabApiDeployerOptions;
  api: ApiClient;
  /** `${base}/api/v4/projects/${id}` */
  projectUrl: string;
  headers: Record<string, string>;
  now: () => number;
}

/** Pipeline states after which nothing more will happen without a human. */
const FAILED = new Set(['failed', 'canceled', 'skipped']);
const SETTLED = new Set(['success', 'manual', ...FAILED]);

/** The `:id` of project URLs: ids as they are, paths URL-encoded once (`/` → `%2F`). */
export function gitlabProjectRef(project: string | number): string {
  const text = String(project);
  if (/^\d+$/.test(text) || /%2f/i.test(text)) return text;
  return encodeURIComponent(text);
}

/** Creates the `gitlab-api` deployer. */
export function createGitlabApiDeployer(opts: GitlabApiDeployerOptions): Deployer {
  const base = (opts.baseUrl ?? 'https://gitlab.com').replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  const now = opts.now ?? Date.now;
  const api = createApiClient({ label: 'gitlab-api', fetch: opts.fetch, now, sleep: opts.sleep });
  const ctx: Ctx = {
    opts,
    api,
    projectUrl: `${base}/api/v4/projects/${gitlabProjectRef(opts.project)}`,
    headers: { 'PRIVATE-TOKEN': opts.token, Accept: 'application/json' },
    now,
  };
  return {
    kind: 'gitlab-api',
    async deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      // The file exists after the first canary, so `update` is right every time but once.
      const commit = await commitCanary(ctx, request, 'update', signal);
      const receipt: DeployReceipt = {
        startedAt: commit.startedAt,
        acceptedAt: commit.acceptedAt,
        detail: commit.shortId,
      };
      if (opts.followPipeline) receipt.phases = await followPipeline(ctx, commit.sha, signal);
      return receipt;
    },
  };
}

interface Commit {
  sha: string;
  shortId: string;
  startedAt: number;
  acceptedAt: number;
}

async function commitCanary(
  ctx: Ctx,
  req: DeployRequest,
  first: Action,
  signal: AbortSignal,
): Promise<Commit> {
  let action = first;
  for (let switches = 0; ; switches++) {
    const startedAt = ctx.now();
    const reply = await ctx.api.call(
      {
        method: 'POST',
        url: `${ctx.projectUrl}/repository/commits`,
        headers: ctx.headers,
        json: {
          branch: ctx.opts.branch,
          commit_message: req.message,
          actions: [{ action, file_path: ctx.opts.file, content: req.content }],
        },
      },
      signal,
    );
    if (reply.status === 201) {
      const body = reply.body as { id?: string; short_id?: string } | undefined;
      const sha = body?.id ?? '';
      const shortId = body?.short_id ?? sha.slice(0, 8);
      return { sha, shortId, startedAt, acceptedAt: ctx.now() };
    }
    const other = otherAction(reply, action);
    if (!other || switches >= 2) throw commitFailure(ctx, reply);
    action = other;
  }
}

/** The action to try instead when GitLab says the file is (not) there. */
function otherAction(reply: ApiReply, tried: Action): Action | undefined {
  if (reply.status !== 400) return undefined;
  const message = apiMessage(reply);
  if (tried === 'update' && /doesn't exist|does not exist/i.test(message)) return 'create';
  if (tried === 'create' && /already exists/i.test(message)) return 'update';
  return undefined;
}

/** What a refusal most likely means for this API; GitLab's own words follow it. */
function commitHint(ctx: Ctx, reply: ApiReply): string | undefined {
  const { project, branch } = ctx.opts;
  const body = reply.body as { error?: string; scope?: string } | undefined;
  if (reply.status === 401) return 'the token was refused (invalid, expired or revoked)';
  if (reply.status === 403 && body?.error === 'insufficient_scope') {
    // write_repository is what the git deployer needs; the REST API wants api.
    return `the token lacks the ${body.scope ?? 'api'} scope (write_repository only covers git over HTTP)`;
  }
  if (reply.status === 403) {
    return `the token may not push to branch "${branch}" (it needs the Developer role, and the branch may be protected)`;
  }
  if (reply.status === 404) return `project "${project}" not found, or the token cannot see it`;
  if (
    reply.status === 400 &&
    /on a branch|branch.*(not found|does not exist)/i.test(apiMessage(reply))
  ) {
    return `branch "${branch}" does not exist; create it first`;
  }
  return undefined;
}

function commitFailure(ctx: Ctx, reply: ApiReply): DeployError {
  return apiFailure('gitlab-api', 'commit', reply, commitHint(ctx, reply));
}

interface Pipeline {
  id: number;
  status: string;
  web_url?: string;
}

/** Polls the commit's pipeline on the branch until it settles; a failed one is a DeployError. */
async function followPipeline(ctx: Ctx, sha: string, signal: AbortSignal): Promise<DeployPhase[]> {
  const { opts } = ctx;
  const phases: DeployPhase[] = [];
  const query = new URLSearchParams({ sha, ref: opts.branch });
  const url = `${ctx.projectUrl}/pipelines?${query}`;
  const timing = {
    intervalMs: opts.pollIntervalMs ?? 5_000,
    timeoutMs: opts.pipelineTimeoutMs ?? 600_000,
    now: ctx.now,
    sleep: opts.sleep,
  };
  let outcome: FollowOutcome<Pipeline>;
  try {
    outcome = await follow(timing, signal, async () => {
      const reply = await ctx.api.call({ method: 'GET', url, headers: ctx.headers }, signal);
      if (reply.status !== 200) throw apiFailure('gitlab-api', 'pipeline lookup', reply);
      const pipeline = (reply.body as Pipeline[] | undefined)?.[0];
      if (!pipeline) return { done: false, status: 'no pipeline yet' };
      if (phases.length === 0) {
        phases.push({ name: 'pipeline_created', at: ctx.now(), detail: `#${pipeline.id}` });
      }
      if (SETTLED.has(pipeline.status)) return { done: true, value: pipeline };
      return { done: false, status: pipeline.status };
    });
  } catch (error) {
    // The commit is in: a lookup that fails leaves the pipeline unknown, the canary's probes decide.
    outcome = { done: false, why: 'lookup failed', status: (error as Error).message };
  }
  if (!outcome.done) return [...phases, unfinishedPhase('pipeline', outcome, ctx.now())];
  const { value } = outcome;
  if (FAILED.has(value.status)) {
    const where = value.web_url ? ` (${value.web_url})` : '';
    throw new DeployError(
      `gitlab-api: pipeline #${value.id} for ${sha.slice(0, 8)} ${value.status}${where}`,
    );
  }
  return [...phases, { name: 'pipeline_done', at: ctx.now(), detail: value.status }];
}
