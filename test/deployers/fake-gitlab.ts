/**
 * A strict fake of the two GitLab REST endpoints the gitlab-api deployer uses,
 * with GitLab's own status codes and messages: `POST
 * /api/v4/projects/:id/repository/commits` and `GET
 * /api/v4/projects/:id/pipelines`. Auth is the PRIVATE-TOKEN header only; an
 * unknown body field is a 400, so a wire-format mistake fails a test.
 */
import { createHash } from 'node:crypto';
import { type Answer, jsonBody, type RecordedRequest, unknownKeys } from './api-server.js';

export interface FakeGitlab {
  projectId: number;
  projectPath: string;
  /** branch → (file path → content) */
  branches: Map<string, Map<string, string>>;
  /** token → scopes */
  tokens: Record<string, string[]>;
  protectedBranches: Set<string>;
  commits: { sha: string; branch: string; message: string; actions: unknown[] }[];
  /** Statuses the next commit's pipeline walks through, one per poll (last one sticks). */
  pipelineScript?: string[];
  pipelines: Map<string, { id: number; ref: string; statuses: string[] }>;
}

export function fakeGitlab(init: Partial<FakeGitlab> = {}): FakeGitlab {
  return {
    projectId: 42,
    projectPath: 'acme/docs',
    branches: new Map([['main', new Map([['README.md', 'hi']])]]),
    tokens: { 'glpat-good': ['api'] },
    protectedBranches: new Set(),
    commits: [],
    pipelines: new Map(),
    ...init,
  };
}

const COMMIT_KEYS = [
  'branch',
  'commit_message',
  'actions',
  'start_branch',
  'author_email',
  'author_name',
  'force',
  'stats',
];
const ACTION_KEYS = [
  'action',
  'file_path',
  'content',
  'encoding',
  'previous_path',
  'last_commit_id',
  'execute_filemode',
];

const msg = (status: number, message: unknown): Answer => ({ status, json: { message } });

/** The request handler for startApiServer. */
export function gitlabHandler(state: FakeGitlab) {
  return (req: RecordedRequest): Answer => {
    const target = new URL(req.url, 'http://x');
    const route = /^\/api\/v4\/projects\/([^/]+)\/(repository\/commits|pipelines)$/.exec(
      target.pathname,
    );
    if (!route) return { status: 404, json: { error: '404 Not Found' } };
    const token = req.headers['private-token'];
    const scopes = typeof token === 'string' ? state.tokens[token] : undefined;
    if (!scopes) return msg(401, '401 Unauthorized');
    const id = route[1];
    if (id !== String(state.projectId) && id !== encodeURIComponent(state.projectPath)) {
      return msg(404, '404 Project Not Found');
    }
    if (route[2] === 'pipelines' && req.method === 'GET') return pipelines(state, scopes, target);
    if (route[2] === 'repository/commits' && req.method === 'POST')
      return commit(state, scopes, req);
    return { status: 405, json: { error: '405 Method Not Allowed' } };
  };
}

function insufficientScope(scope: string): Answer {
  const error_description =
    'The request requires higher privileges than provided by the access token.';
  return { status: 403, json: { error: 'insufficient_scope', error_description, scope } };
}

function commit(state: FakeGitlab, scopes: string[], req: RecordedRequest): Answer {
  if (!scopes.includes('api')) return insufficientScope('api');
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    return msg(415, 'expected JSON');
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object')
    return { status: 400, json: { error: 'body is not JSON' } };
  const extra = unknownKeys(body, COMMIT_KEYS);
  if (extra.length) return { status: 400, json: { error: `unknown fields: ${extra.join(', ')}` } };
  const { branch, commit_message, actions } = body;
  if (typeof branch !== 'string' || typeof commit_message !== 'string' || !Array.isArray(actions)) {
    return { status: 400, json: { error: 'branch, commit_message, actions are missing' } };
  }
  const files = state.branches.get(branch);
  if (!files) return msg(400, 'You can only create or edit files when you are on a branch');
  if (state.protectedBranches.has(branch))
    return msg(403, 'You are not allowed to push into this branch');
  const next = new Map(files);
  for (const action of actions as Record<string, unknown>[]) {
    const extraAction = unknownKeys(action, ACTION_KEYS);
    if (extraAction.length)
      return { status: 400, json: { error: `unknown action fields: ${extraAction}` } };
    const path = String(action.file_path);
    if (action.action === 'update' && !next.has(path))
      return msg(400, "A file with this name doesn't exist");
    if (action.action === 'create' && next.has(path))
      return msg(400, 'A file with this name already exists');
    if (action.action !== 'update' && action.action !== 'create')
      return { status: 400, json: { error: 'action does not have a valid value' } };
    next.set(path, String(action.content));
  }
  state.branches.set(branch, next);
  const sha = createHash('sha1').update(`${state.commits.length}:${commit_message}`).digest('hex');
  state.commits.push({ sha, branch, message: commit_message, actions });
  if (state.pipelineScript) {
    state.pipelines.set(sha, {
      id: 1000 + state.commits.length,
      ref: branch,
      statuses: [...state.pipelineScript],
    });
  }
  return {
    status: 201,
    json: {
      id: sha,
      short_id: sha.slice(0, 8),
      title: commit_message.split('\n')[0],
      message: commit_message,
      parent_ids: [],
    },
  };
}

function pipelines(state: FakeGitlab, scopes: string[], target: URL): Answer {
  if (!scopes.includes('api') && !scopes.includes('read_api'))
    return insufficientScope('api read_api');
  const extra = [...target.searchParams.keys()].filter((k) => k !== 'sha' && k !== 'ref');
  if (extra.length) return { status: 400, json: { error: `unexpected parameters: ${extra}` } };
  const sha = target.searchParams.get('sha');
  const pipeline = sha ? state.pipelines.get(sha) : undefined;
  if (!pipeline || pipeline.ref !== target.searchParams.get('ref'))
    return { status: 200, json: [] };
  const status = pipeline.statuses.length > 1 ? pipeline.statuses.shift()! : pipeline.statuses[0]!;
  const web_url = `https://gitlab.example.com/${state.projectPath}/-/pipelines/${pipeline.id}`;
  return {
    status: 200,
    json: [
      {
        id: pipeline.id,
        iid: 1,
        project_id: state.projectId,
        sha,
        ref: pipeline.ref,
        status,
        source: 'push',
        web_url,
      },
    ],
  };
}
