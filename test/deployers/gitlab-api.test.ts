import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import {
  createGitlabApiDeployer,
  type GitlabApiDeployerOptions,
} from '../../src/deployers/gitlab-api.js';
import { createNodeFetch } from '../../src/probers/node-fetch.node.js';
import { canaryRequest } from '../helpers/deploy-request.js';
import { type ApiServer, jsonBody, startApiServer } from './api-server.js';
import { type FakeGitlab, fakeGitlab, gitlabHandler } from './fake-gitlab.js';

const nodeFetch = createNodeFetch({ connectTimeoutMs: 5_000 });
afterAll(() => nodeFetch.close());
const signal = new AbortController().signal;
const FILE = 'public/freshprobe/canary.json';

const request = (seq: number) => canaryRequest(seq);

describe('gitlab-api deployer', () => {
  let state: FakeGitlab;
  let server: ApiServer;
  const deployer = (o: Partial<GitlabApiDeployerOptions> = {}) =>
    createGitlabApiDeployer({
      baseUrl: server.url,
      project: 42,
      branch: 'main',
      file: FILE,
      token: 'glpat-good',
      fetch: nodeFetch.fetch,
      pollIntervalMs: 10,
      ...o,
    });

  beforeEach(async () => {
    state = fakeGitlab();
    server = await startApiServer(gitlabHandler(state));
  });
  afterEach(() => server.close());

  it('creates the file on the first canary, then updates it, with the documented wire format', async () => {
    const d = deployer();
    expect(d.kind).toBe('gitlab-api');
    const first = await d.deploy(request(1), signal);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/api/v4/projects/42/repository/commits'],
      ['POST', '/api/v4/projects/42/repository/commits'],
    ]);
    const [tried, created] = server.requests.map((r) => jsonBody(r));
    expect(tried).toEqual({
      branch: 'main',
      commit_message: request(1).message,
      actions: [{ action: 'update', file_path: FILE, content: request(1).content }],
    });
    expect(created).toMatchObject({ actions: [{ action: 'create' }] });
    expect(server.requests[1]!.headers['private-token']).toBe('glpat-good');
    expect(state.branches.get('main')!.get(FILE)).toBe(request(1).content);
    expect(first.detail).toBe(state.commits[0]!.sha.slice(0, 8));
    expect(first.startedAt).toBeGreaterThanOrEqual(server.requests[0]!.at - 5);
    expect(first.startedAt).toBeLessThanOrEqual(server.requests[1]!.at);
    expect(first.acceptedAt).toBeGreaterThanOrEqual(first.startedAt);
    expect(first.phases).toBeUndefined();

    await d.deploy(request(2), signal);
    expect(server.requests).toHaveLength(3);
    expect(jsonBody(server.requests[2]!)).toMatchObject({ actions: [{ action: 'update' }] });
    expect(state.branches.get('main')!.get(FILE)).toBe(request(2).content);
  });

  it('talks to a fake that is as strict as GitLab (header name, body fields)', async () => {
    const url = `${server.url}/api/v4/projects/42/repository/commits`;
    const body = { branch: 'main', commit_message: 'm', actions: [], ref: 'main' };
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({ authorization: 'Bearer glpat-good' })).status).toBe(401);
    expect((await post({ 'private-token': 'glpat-good' })).status).toBe(400);
  });

  it.each([['acme/docs'], ['acme%2Fdocs']])('addresses the project by path %s', async (project) => {
    state.branches.get('main')!.set(FILE, 'old');
    await deployer({ project, baseUrl: `${server.url}/` }).deploy(request(1), signal);
    expect(server.requests[0]!.url).toBe('/api/v4/projects/acme%2Fdocs/repository/commits');
  });

  it('waits out a 429 with Retry-After: 1, then succeeds', async () => {
    server.queue({
      status: 429,
      json: { message: 'Retry later' },
      headers: { 'retry-after': '1' },
    });
    state.branches.get('main')!.set(FILE, 'old');
    const receipt = await deployer().deploy(request(1), signal);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(receipt.detail).toMatch(/^[0-9a-f]{8}$/);
  });

  it('retries a 502 and gives up after 3 attempts with a retryable error', async () => {
    server.queue({ status: 502, text: '<html>Bad Gateway</html>' });
    state.branches.get('main')!.set(FILE, 'old');
    await deployer().deploy(request(1), signal);
    expect(server.requests).toHaveLength(2);

    server.queue(
      ...Array.from({ length: 3 }, () => ({ status: 503, text: 'down for maintenance' })),
    );
    const error = await deployer({ sleep: async () => {} })
      .deploy(request(2), signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toBe('gitlab-api: commit answered 503: down for maintenance');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(5);
  });

  it('does not wait longer than the cap, and stops waiting when aborted', async () => {
    server.queue({
      status: 429,
      json: { message: 'Retry later' },
      headers: { 'retry-after': '3600' },
    });
    await expect(deployer().deploy(request(1), signal)).rejects.toThrow(
      'gitlab-api: commit answered 429 (retry after 3600 s): Retry later',
    );
    server.queue({
      status: 429,
      json: { message: 'Retry later' },
      headers: { 'retry-after': '20' },
    });
    const started = Date.now();
    const error = await deployer()
      .deploy(request(1), AbortSignal.timeout(200))
      .catch((e) => e);
    expect(error.message).toBe('gitlab-api: aborted while waiting to retry');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each([
    [
      'a bad token',
      { token: 'glpat-wrong' },
      'gitlab-api: commit answered 401: the token was refused (invalid, expired or revoked): 401 Unauthorized',
    ],
    [
      'a read-only token',
      { token: 'glpat-read' },
      'gitlab-api: commit answered 403: the token lacks the api scope (write_repository only covers git over HTTP): The request requires higher privileges than provided by the access token.',
    ],
    [
      'a protected branch',
      { branch: 'locked' },
      'gitlab-api: commit answered 403: the token may not push to branch "locked" (it needs the Developer role, and the branch may be protected): You are not allowed to push into this branch',
    ],
    [
      'an unknown project',
      { project: 'acme/other' },
      'gitlab-api: commit answered 404: project "acme/other" not found, or the token cannot see it: 404 Project Not Found',
    ],
    [
      'an unknown branch',
      { branch: 'nope' },
      'gitlab-api: commit answered 400: branch "nope" does not exist; create it first: You can only create or edit files when you are on a branch',
    ],
  ])('explains %s', async (_what, options, message) => {
    state.tokens['glpat-read'] = ['read_api'];
    state.branches.set('locked', new Map());
    state.protectedBranches.add('locked');
    const error = await deployer(options)
      .deploy(request(1), signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toBe(message);
    expect(error.retryable).toBe(false);
  });
});

describe('gitlab-api followPipeline', () => {
  let state: FakeGitlab;
  let server: ApiServer;
  const deployer = (o: Partial<GitlabApiDeployerOptions> = {}) =>
    createGitlabApiDeployer({
      baseUrl: server.url,
      project: 'acme/docs',
      branch: 'main',
      file: FILE,
      token: 'glpat-good',
      fetch: nodeFetch.fetch,
      followPipeline: true,
      pollIntervalMs: 10,
      ...o,
    });

  beforeEach(async () => {
    state = fakeGitlab();
    state.branches.get('main')!.set(FILE, 'old');
    server = await startApiServer(gitlabHandler(state));
  });
  afterEach(() => server.close());

  it('reports the pipeline of the commit as phases', async () => {
    state.pipelineScript = ['created', 'pending', 'running', 'success'];
    const receipt = await deployer().deploy(request(1), signal);
    const sha = state.commits[0]!.sha;
    const polls = server.requests.filter((r) => r.method === 'GET');
    expect(polls[0]!.url).toBe(`/api/v4/projects/acme%2Fdocs/pipelines?sha=${sha}&ref=main`);
    expect(polls).toHaveLength(4);
    expect(receipt.phases).toEqual([
      { name: 'pipeline_created', at: expect.any(Number), detail: '#1001' },
      { name: 'pipeline_done', at: expect.any(Number), detail: 'success' },
    ]);
    expect(receipt.phases![1]!.at).toBeGreaterThanOrEqual(receipt.acceptedAt);
  });

  it('fails the deploy when the pipeline fails', async () => {
    state.pipelineScript = ['running', 'failed'];
    await expect(deployer().deploy(request(1), signal)).rejects.toThrow(
      /^gitlab-api: pipeline #1001 for [0-9a-f]{8} failed \(https:\/\/gitlab\.example\.com\/acme\/docs\/-\/pipelines\/1001\)$/,
    );
  });

  it('reports a pipeline that did not finish in time without failing the deploy', async () => {
    state.pipelineScript = ['running'];
    const receipt = await deployer({ pipelineTimeoutMs: 100 }).deploy(request(1), signal);
    expect(receipt.phases!.map((p) => [p.name, p.detail])).toEqual([
      ['pipeline_created', '#1001'],
      ['pipeline_unfinished', 'running (timeout)'],
    ]);
  });

  it('reports a commit without any pipeline as unfinished', async () => {
    const receipt = await deployer({ pipelineTimeoutMs: 50 }).deploy(request(1), signal);
    expect(receipt.phases).toEqual([
      { name: 'pipeline_unfinished', at: expect.any(Number), detail: 'no pipeline yet (timeout)' },
    ]);
  });
});
