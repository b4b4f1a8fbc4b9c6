import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import {
  createGithubApiDeployer,
  type GithubApiDeployerOptions,
} from '../../src/deployers/github-api.js';
import { createNodeFetch } from '../../src/probers/node-fetch.node.js';
import { canaryRequest } from '../helpers/deploy-request.js';
import { type ApiServer, jsonBody, startApiServer } from './api-server.js';
import { type FakeGithub, fakeGithub, githubHandler } from './fake-github.js';

const nodeFetch = createNodeFetch({ connectTimeoutMs: 5_000 });
afterAll(() => nodeFetch.close());
const signal = new AbortController().signal;
const FILE = 'docs/fresh probe/canary.json';
const ENCODED = '/repos/acme/site/contents/docs/fresh%20probe/canary.json';

const request = (seq: number) => canaryRequest(seq, { note: 'é' });

describe('github-api deployer', () => {
  let state: FakeGithub;
  let server: ApiServer;
  const deployer = (o: Partial<GithubApiDeployerOptions> = {}) =>
    createGithubApiDeployer({
      baseUrl: server.url,
      repo: 'acme/site',
      branch: 'main',
      file: FILE,
      token: 'ghp-good',
      fetch: nodeFetch.fetch,
      pollIntervalMs: 10,
      ...o,
    });
  const calls = () => server.requests.map((r) => `${r.method} ${r.url}`);

  beforeEach(async () => {
    state = fakeGithub();
    server = await startApiServer(githubHandler(state));
  });
  afterEach(() => server.close());

  it('creates the file, then updates it with its sha, speaking the documented wire format', async () => {
    const d = deployer();
    expect(d.kind).toBe('github-api');
    const first = await d.deploy(request(1), signal);
    expect(calls()).toEqual([`GET ${ENCODED}?ref=main`, `PUT ${ENCODED}`]);
    const put = server.requests[1]!;
    expect(put.headers).toMatchObject({
      authorization: 'Bearer ghp-good',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'freshprobe',
    });
    const body = jsonBody(put) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['branch', 'content', 'message']);
    expect(Buffer.from(body.content!, 'base64').toString('utf8')).toBe(request(1).content);
    expect(first.detail).toBe(state.commits[0]!.sha.slice(0, 7));
    expect(first.startedAt).toBeLessThanOrEqual(put.at);
    expect(first.acceptedAt).toBeGreaterThanOrEqual(first.startedAt);

    const blobSha = state.branches.get('main')!.get(FILE)!.sha;
    await d.deploy(request(2), signal);
    expect(jsonBody(server.requests[3]!)).toEqual({
      message: request(2).message,
      content: expect.any(String),
      branch: 'main',
      sha: blobSha,
    });
    expect(state.branches.get('main')!.get(FILE)!.content).toBe(request(2).content);
  });

  it('talks to a fake that is as strict as GitHub (auth format, headers, body keys)', async () => {
    const url = `${server.url}${ENCODED}`;
    const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    const put = (extra: Record<string, string>, body: object) =>
      fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers, ...extra },
        body: JSON.stringify(body),
      });
    const ok = { message: 'm', content: 'e30=', branch: 'main' };
    expect((await put({ authorization: 'Basic ghp-good' }, ok)).status).toBe(401);
    expect((await put({ authorization: 'Bearer ghp-good' }, { ...ok, path: 'x' })).status).toBe(
      422,
    );
    expect((await put({ authorization: 'Bearer ghp-good' }, ok)).status).toBe(201);
  });

  it('refetches the sha once when the file changed under it (409)', async () => {
    await deployer().deploy(request(1), signal);
    state.interfereOnce = true;
    await deployer().deploy(request(2), signal);
    expect(calls().slice(2)).toEqual([
      `GET ${ENCODED}?ref=main`,
      `PUT ${ENCODED}`,
      `GET ${ENCODED}?ref=main`,
      `PUT ${ENCODED}`,
    ]);
    expect(state.branches.get('main')!.get(FILE)!.content).toBe(request(2).content);
  });

  it('works under a GitHub Enterprise /api/v3 base URL', async () => {
    await deployer({ baseUrl: `${server.url}/api/v3/` }).deploy(request(1), signal);
    expect(server.requests[0]!.url).toBe(`/api/v3${ENCODED}?ref=main`);
  });

  it('waits out a 429 with Retry-After: 1 and a 403 with x-ratelimit-remaining: 0', async () => {
    server.queue({ status: 429, json: { message: 'slow down' }, headers: { 'retry-after': '1' } });
    await deployer().deploy(request(1), signal);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    const limited = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset };
    server.queue({ status: 403, json: { message: 'API rate limit exceeded' }, headers: limited });
    await deployer().deploy(request(2), signal);
    expect(server.requests.at(-2)!.at - server.requests.at(-3)!.at).toBeGreaterThanOrEqual(200);
    expect(state.branches.get('main')!.get(FILE)!.content).toBe(request(2).content);
  });

  it('retries a 500, and reports a far-off rate limit reset as retryable', async () => {
    server.queue({ status: 500, text: 'oops' });
    await deployer().deploy(request(1), signal);
    expect(server.requests).toHaveLength(3);
    const reset = String(Math.ceil(Date.now() / 1000) + 3600);
    const limited = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset };
    server.queue({ status: 403, json: { message: 'API rate limit exceeded' }, headers: limited });
    const error = await deployer()
      .deploy(request(2), signal)
      .catch((e) => e);
    expect(error.message).toBe(
      `github-api: read ${FILE} answered 403: rate limit exhausted until ${new Date(Number(reset) * 1000).toISOString()}: API rate limit exceeded`,
    );
    expect(error.retryable).toBe(true);
  });

  it.each([
    [
      'a bad token',
      { token: 'ghp-wrong' },
      `read ${FILE} answered 401: the token was refused (invalid, expired or revoked): Bad credentials`,
    ],
    [
      'a read-only token',
      { token: 'ghp-read' },
      `write ${FILE} answered 403: the token may not write here (it needs Contents: write, or the repo scope): Resource not accessible by personal access token`,
    ],
    [
      'an unknown repository',
      { repo: 'acme/other' },
      `write ${FILE} answered 404: repository "acme/other" not found, or the token cannot see it: Not Found`,
    ],
    [
      'an unknown branch',
      { branch: 'gh-pages' },
      `read ${FILE} answered 404: branch "gh-pages" does not exist; create it first: No commit found for the ref gh-pages`,
    ],
  ])('explains %s', async (_what, options, message) => {
    const error = await deployer(options)
      .deploy(request(1), signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toBe(`github-api: ${message}`);
    expect(error.retryable).toBe(false);
  });

  it('follows the Pages build of the commit', async () => {
    state.pagesScript = ['queued', 'building', 'built'];
    const receipt = await deployer({ followPages: true }).deploy(request(1), signal);
    expect(calls().filter((c) => c.includes('pages'))).toHaveLength(3);
    expect(receipt.phases).toEqual([
      { name: 'pages_built', at: expect.any(Number), detail: state.commits[0]!.sha.slice(0, 7) },
    ]);
  });

  it('fails on an errored Pages build, and reports a missing Pages site as unfinished', async () => {
    state.pagesScript = ['building', 'errored'];
    await expect(deployer({ followPages: true }).deploy(request(1), signal)).rejects.toThrow(
      /^github-api: Pages build of [0-9a-f]{7} errored: Page build failed: missing docs folder$/,
    );
    state.pagesScript = undefined;
    state.pages = undefined;
    const receipt = await deployer({ followPages: true }).deploy(request(2), signal);
    expect(receipt.phases).toEqual([
      {
        name: 'pages_unfinished',
        at: expect.any(Number),
        detail: 'github-api: Pages build lookup answered 404: Not Found (lookup failed)',
      },
    ]);
  });
});
