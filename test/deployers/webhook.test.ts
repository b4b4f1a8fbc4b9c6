import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { DeployRequest } from '../../src/core/ports.js';
import { createWebhookDeployer, type WebhookDeployerOptions } from '../../src/deployers/webhook.js';
import { createNodeFetch } from '../../src/probers/node-fetch.node.js';
import { type Answer, type ApiServer, jsonBody, startApiServer } from './api-server.js';

const nodeFetch = createNodeFetch({ connectTimeoutMs: 5_000 });
afterAll(() => nodeFetch.close());
const signal = new AbortController().signal;
const HOOK = '/build_hooks/s3cr3t-hook-id';

const request: DeployRequest = {
  siteId: 'docs',
  seq: 7,
  token: 'tok7',
  path: '/freshprobe/canary.json',
  content: '{"freshprobe":1,"seq":7}\n',
  message: 'freshprobe canary docs #7',
};

describe('webhook deployer', () => {
  let server: ApiServer;
  let answer: Answer;
  const deployer = (o: Partial<WebhookDeployerOptions> = {}) =>
    createWebhookDeployer({ url: `${server.url}${HOOK}`, fetch: nodeFetch.fetch, ...o });

  beforeEach(async () => {
    answer = { status: 200, text: '' };
    server = await startApiServer(() => answer);
  });
  afterEach(() => server.close());

  it('POSTs the rendered body template and headers; any 2xx is accepted', async () => {
    answer = { status: 201, json: { job: { id: 'dpl_123', state: 'PENDING' } } };
    const d = deployer({
      headers: { 'X-Hook-Secret': 'abc' },
      body: {
        trigger_title: 'canary {{site}} #{{seq}}',
        canary: { token: '{{token}}', file: '{{content}}', keep: '{{other}}', n: 1 },
      },
    });
    expect(d.kind).toBe('webhook');
    const receipt = await d.deploy(request, signal);
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: HOOK });
    expect(req!.headers).toMatchObject({
      'x-hook-secret': 'abc',
      'content-type': 'application/json',
      'user-agent': 'freshprobe',
    });
    expect(jsonBody(req!)).toEqual({
      trigger_title: 'canary docs #7',
      canary: { token: 'tok7', file: request.content, keep: '{{other}}', n: 1 },
    });
    expect(receipt.detail).toBe('dpl_123');
    expect(receipt.acceptedAt).toBeGreaterThanOrEqual(receipt.startedAt);
  });

  it('sends no body without a template and reports the status as detail', async () => {
    const receipt = await deployer().deploy(request, signal);
    expect(server.requests[0]!.body).toBe('');
    expect(server.requests[0]!.headers['content-type']).toBeUndefined();
    expect(receipt.detail).toBe('HTTP 200');
  });

  it('fails at once on a 4xx, with the tail of the body', async () => {
    answer = { status: 404, text: `<html>${'x'.repeat(400)} hook not found</html>` };
    const error = await deployer()
      .deploy(request, signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toMatch(/^webhook: POST answered 404: \.\.\.x+ hook not found<\/html>$/);
    expect(error.message.length).toBeLessThan(360);
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 5xx and succeeds', async () => {
    server.queue({ status: 503, text: 'busy' });
    await deployer().deploy(request, signal);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after 3 attempts with a retryable error', async () => {
    answer = { status: 502, json: { message: 'upstream failed' } };
    const error = await deployer({ sleep: async () => {} })
      .deploy(request, signal)
      .catch((e) => e);
    expect(error.message).toBe('webhook: POST answered 502: upstream failed');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('never puts the hook URL (the secret) into an error', async () => {
    const url = server.url;
    await server.close();
    const error = await createWebhookDeployer({
      url: `${url}${HOOK}`,
      fetch: nodeFetch.fetch,
      sleep: async () => {},
    })
      .deploy(request, signal)
      .catch((e) => e);
    expect(error.message).toBe(`webhook: POST ${url} failed: ECONNREFUSED`);
    expect(error.retryable).toBe(true);
    server = await startApiServer(() => answer);
  });
});
