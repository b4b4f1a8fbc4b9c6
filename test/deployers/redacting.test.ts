import { describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { Deployer } from '../../src/core/ports.js';
import { withRedaction } from '../../src/deployers/redacting.js';

const request = { siteId: 's', seq: 1, token: 't', path: '/x', content: 'c', message: 'm' };

describe('withRedaction', () => {
  it('removes secrets from output, detail and phases', async () => {
    const inner: Deployer = {
      kind: 'command',
      deploy: async () => ({
        startedAt: 1,
        acceptedAt: 2,
        detail: 'ok s3cr3t-token',
        output: 'TOKEN=s3cr3t-token\ndone',
        phases: [{ name: 'p', at: 2, detail: 's3cr3t-token' }],
      }),
    };
    const receipt = await withRedaction(inner, ['s3cr3t-token']).deploy(
      request,
      new AbortController().signal,
    );
    expect(JSON.stringify(receipt)).not.toContain('s3cr3t-token');
    expect(receipt.output).toBe('TOKEN=[redacted]\ndone');
  });

  it('removes secrets from errors and keeps retryable', async () => {
    const inner: Deployer = {
      kind: 'webhook',
      deploy: async () => {
        throw new DeployError('401 for https://hooks.example.com/s3cr3t-token', {
          retryable: true,
        });
      },
    };
    const failed = withRedaction(inner, ['s3cr3t-token']).deploy(
      request,
      new AbortController().signal,
    );
    await expect(failed).rejects.toMatchObject({
      message: '401 for https://hooks.example.com/[redacted]',
      retryable: true,
    });
  });
});
