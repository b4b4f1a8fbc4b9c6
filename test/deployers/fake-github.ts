/**
 * A strict fake of the GitHub REST endpoints the github-api deployer uses,
 * with GitHub's status codes and messages: contents GET/PUT and
 * `pages/builds/latest`. Like the real API it wants a User-Agent and takes
 * `Authorization: Bearer|token <token>`; stricter than the real API, it also
 * insists on `Accept: application/vnd.github+json` and `X-GitHub-Api-Version:
 * 2022-11-28`, and answers 422 for any unknown body key. Served at / and at
 * /api/v3 (GitHub Enterprise's prefix).
 */
import { createHash } from 'node:crypto';
import { type Answer, jsonBody, type RecordedRequest, unknownKeys } from './api-server.js';

interface Blob {
  content: string;
  sha: string;
}

export interface FakeGithub {
  repo: string;
  branches: Map<string, Map<string, Blob>>;
  tokens: Record<string, 'write' | 'read'>;
  commits: { sha: string; branch: string; message: string }[];
  /** Statuses the Pages build of the newest commit walks through, one per poll (last sticks). */
  pagesScript?: string[];
  pages: { commit: string; statuses: string[] } | undefined;
  /** Changes the file just before the next PUT is handled, as another writer would. */
  interfereOnce?: boolean;
}

export function fakeGithub(init: Partial<FakeGithub> = {}): FakeGithub {
  return {
    repo: 'acme/site',
    branches: new Map([['main', new Map()]]),
    tokens: { 'ghp-good': 'write', 'ghp-read': 'read' },
    commits: [],
    pages: undefined,
    ...init,
  };
}

const DOCS = 'https://docs.github.com/rest';
const PUT_KEYS = ['message', 'content', 'sha', 'branch', 'committer', 'author'];
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const error = (status: number, message: string): Answer => ({
  status,
  json: { message, documentation_url: DOCS, status: String(status) },
});

/** Rejects what GitHub (or this stricter fake) would refuse before routing. */
function checkHeaders(state: FakeGithub, req: RecordedRequest): Answer | 'write' | 'read' {
  const h = req.headers;
  if (!h['user-agent']) {
    return error(
      403,
      'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
    );
  }
  if (h['x-github-api-version'] !== '2022-11-28') {
    return error(400, `API version ${h['x-github-api-version'] ?? '(none)'} is not supported.`);
  }
  if (h.accept !== 'application/vnd.github+json') return error(415, 'Unsupported Accept header');
  const auth = /^(Bearer|token) (\S+)$/.exec(h.authorization ?? '');
  if (!h.authorization) return error(401, 'Requires authentication');
  const access = auth ? state.tokens[auth[2]!] : undefined;
  return access ?? error(401, 'Bad credentials');
}

/** The request handler for startApiServer. */
export function githubHandler(state: FakeGithub) {
  return (req: RecordedRequest): Answer => {
    const access = checkHeaders(state, req);
    if (typeof access !== 'string') return access;
    const target = new URL(req.url, 'http://x');
    const path = target.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const route = /^\/repos\/([^/]+\/[^/]+)\/(contents\/(.+)|pages\/builds\/latest)$/.exec(path);
    if (!route || route[1] !== state.repo) return error(404, 'Not Found');
    if (route[2] === 'pages/builds/latest' && req.method === 'GET') return pagesBuild(state);
    const file = decodeURIComponent(route[3] ?? '');
    if (req.method === 'GET') return getContents(state, file, target);
    if (req.method === 'PUT')
      return access === 'write'
        ? putContents(state, file, req)
        : error(403, 'Resource not accessible by personal access token');
    return error(404, 'Not Found');
  };
}

function getContents(state: FakeGithub, file: string, target: URL): Answer {
  const extra = [...target.searchParams.keys()].filter((k) => k !== 'ref');
  if (extra.length) return error(400, `unexpected parameters: ${extra}`);
  const ref = target.searchParams.get('ref') ?? 'main';
  const files = state.branches.get(ref);
  if (!files) return error(404, `No commit found for the ref ${ref}`);
  const blob = files.get(file);
  if (!blob) return error(404, 'Not Found');
  const name = file.split('/').at(-1);
  const content = Buffer.from(blob.content).toString('base64');
  return {
    status: 200,
    json: { type: 'file', encoding: 'base64', name, path: file, sha: blob.sha, content },
  };
}

function putContents(state: FakeGithub, file: string, req: RecordedRequest): Answer {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    return error(415, 'expected JSON');
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return error(400, 'Problems parsing JSON');
  const extra = unknownKeys(body, PUT_KEYS);
  if (extra.length) return error(422, `Invalid request.\n\n${extra[0]} is not a permitted key.`);
  for (const key of ['message', 'content'] as const) {
    if (typeof body[key] !== 'string')
      return error(422, `Invalid request.\n\n"${key}" wasn't supplied.`);
  }
  const content = String(body.content);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content)) return error(422, 'content is not valid Base64');
  const branch = typeof body.branch === 'string' ? body.branch : 'main';
  const files = state.branches.get(branch);
  if (!files) return error(404, `Branch ${branch} not found`);
  if (state.interfereOnce && files.has(file)) {
    state.interfereOnce = false;
    files.set(file, { content: 'changed by someone else', sha: sha1(`other:${Date.now()}`) });
  }
  const current = files.get(file);
  if (current && body.sha === undefined)
    return error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
  if (current && body.sha !== current.sha)
    return error(409, `is at ${current.sha} but expected ${body.sha}`);
  const text = Buffer.from(content, 'base64').toString('utf8');
  const blob = { content: text, sha: sha1(`blob:${text}`) };
  files.set(file, blob);
  const commit = sha1(`commit:${state.commits.length}:${body.message}`);
  state.commits.push({ sha: commit, branch, message: String(body.message) });
  if (state.pagesScript) state.pages = { commit, statuses: [...state.pagesScript] };
  return {
    status: current ? 200 : 201,
    json: {
      content: { path: file, sha: blob.sha },
      commit: { sha: commit, message: body.message },
    },
  };
}

function pagesBuild(state: FakeGithub): Answer {
  if (!state.pages) return error(404, 'Not Found');
  const { statuses, commit } = state.pages;
  const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
  const message = status === 'errored' ? 'Page build failed: missing docs folder' : null;
  return {
    status: 200,
    json: { url: 'https://api.github.com/x', status, error: { message }, commit, duration: 1234 },
  };
}
