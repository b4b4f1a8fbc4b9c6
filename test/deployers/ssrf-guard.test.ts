/**
 * The SSRF guard as wired by the Node adapter table: API deployers built from
 * config refuse private, loopback and link-local destinations (IP literals
 * and names) unless the config says allowPrivateAddresses: true, before any
 * byte is sent.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import { DeployError } from '../../src/core/errors.js';
import type { DeployRequest } from '../../src/core/ports.js';
import { createNodeFetch } from '../../src/probers/node-fetch.node.js';
import { buildSiteRuntimes } from '../../src/runtime/adapters.node.js';
import { type ApiServer, startApiServer } from './api-server.js';

const nodeFetch = createNodeFetch({ connectTimeoutMs: 5_000 });
afterAll(() => nodeFetch.close());

const request: DeployRequest = {
  siteId: 'docs',
  seq: 1,
  token: 't1',
  path: '/freshprobe/canary.json',
  content: '{}\n',
  message: 'freshprobe canary docs #1',
};

function deployerFor(deploy: Record<string, unknown>) {
  const site = { id: 'docs', url: 'https://docs.example.com/', deploy };
  const { config } = parseConfigObject({ sites: [site] }, {});
  const [runtime] = buildSiteRuntimes(config.sites, { dataDir: 'unused', fetch: nodeFetch.fetch });
  return runtime!.deployer!;
}

describe('SSRF guard in the adapter table', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer(() => ({ status: 200, json: { id: 'ok' } }));
  });
  afterEach(() => server.close());

  const port = () => new URL(server.url).port;
  const api = { file: 'public/canary.json', token: 'secret-token' };

  const HINT = '(set allowPrivateAddresses: true to allow it)';
  const cases: Array<[string, () => Record<string, unknown>, () => string]> = [
    [
      'gitlab-api at 127.0.0.1',
      () => ({ kind: 'gitlab-api', baseUrl: server.url, project: 1, ...api }),
      () => `gitlab-api: refusing ${server.url}: 127.0.0.1 is a loopback address ${HINT}`,
    ],
    [
      'github-api at 10.0.0.1',
      () => ({ kind: 'github-api', baseUrl: 'http://10.0.0.1/api/v3', repo: 'a/b', ...api }),
      () => `github-api: refusing http://10.0.0.1: 10.0.0.1 is a private address ${HINT}`,
    ],
    [
      'webhook at 169.254.169.254',
      () => ({ kind: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' }),
      () =>
        `webhook: refusing http://169.254.169.254: 169.254.169.254 is a link-local address ${HINT}`,
    ],
    [
      'webhook at localhost',
      () => ({ kind: 'webhook', url: `http://localhost:${port()}/hook` }),
      () => `webhook: refusing http://localhost:${port()}: localhost is a loopback address ${HINT}`,
    ],
  ];
  it.each(cases)('refuses %s', async (_what, deploy, message) => {
    const error = await deployerFor(deploy())
      .deploy(request, AbortSignal.timeout(10_000))
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toBe(message());
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('reaches a loopback webhook when allowPrivateAddresses is true', async () => {
    const deployer = deployerFor({
      kind: 'webhook',
      url: `${server.url}/hook`,
      allowPrivateAddresses: true,
    });
    const receipt = await deployer.deploy(request, AbortSignal.timeout(10_000));
    expect(receipt.detail).toBe('ok');
    expect(server.requests).toHaveLength(1);
  });
});
