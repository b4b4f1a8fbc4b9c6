/**
 * Where secrets come from and where they must not go: VAR_FILE as an
 * alternative to VAR (Docker secrets, systemd LoadCredential=), redaction
 * of every secret in log lines (also JSON-escaped, also those a reload adds),
 * and the rate limiter's token bucket arithmetic.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolateEnv } from '../../src/config/env.js';
import { ConfigError } from '../../src/core/errors.js';
import { TokenBuckets } from '../../src/http/rate-limit.js';
import { loadConfigFile } from '../../src/runtime/config-file.node.js';
import { createLogger } from '../../src/runtime/logger.node.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-secret-files-'));
  await writeFile(join(dir, 'token'), 'from-a-file-0123456789\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const site = `sites:
  - id: docs
    url: https://docs.example.com/
    deploy: { kind: local-dir, dir: /srv/docs }
`;

describe('VAR_FILE', () => {
  it('reads VAR_FILE when VAR is unset, without the final newline, as a secret', async () => {
    await writeFile(join(dir, 'a.yaml'), `server: { adminToken: \${ADMIN} }\n${site}`);
    const loaded = loadConfigFile(join(dir, 'a.yaml'), { ADMIN_FILE: 'token' });
    expect(loaded.config.server.adminToken).toBe('from-a-file-0123456789');
    expect(loaded.secrets).toContain('from-a-file-0123456789');
  });

  it('prefers VAR itself, and reports an unreadable file by path', async () => {
    await writeFile(join(dir, 'b.yaml'), `server: { adminToken: \${ADMIN} }\n${site}`);
    const env = { ADMIN: 'from-the-environment', ADMIN_FILE: 'token' };
    expect(loadConfigFile(join(dir, 'b.yaml'), env).config.server.adminToken).toBe(
      'from-the-environment',
    );
    const error = (() => {
      try {
        loadConfigFile(join(dir, 'b.yaml'), { ADMIN_FILE: '/nonexistent/token' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        path: 'server.adminToken',
        message: 'ADMIN_FILE names /nonexistent/token, which cannot be read (ENOENT)',
      },
    ]);
  });

  it('is off without a reader (the runtime-independent parser, Workers)', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, not a template.
    const out = interpolateEnv({ token: '${T}' }, { T_FILE: '/x' });
    expect(out.problems.map((p) => p.message)).toEqual([expect.stringMatching(/T/)]);
  });
});

describe('log redaction', () => {
  function capture() {
    let text = '';
    const destination = new Writable({
      write(chunk, _enc, done) {
        text += chunk;
        done();
      },
    });
    return { destination, text: () => text };
  }

  it('redacts secrets wherever they appear, JSON-escaped too, and secrets added on reload', async () => {
    const out = capture();
    const log = createLogger({
      secrets: ['plain-secret-123', 'quo"te\\secret'],
      destination: out.destination,
    });
    log.info({ event: 'x', url: 'https://h/plain-secret-123/x', nested: { v: 'quo"te\\secret' } });
    log.addSecrets(['added-later-456']);
    log.warn(
      { event: 'y', error: 'failed with added-later-456' },
      'plain-secret-123 in the message',
    );
    await new Promise((r) => setImmediate(r));
    expect(out.text()).not.toMatch(/plain-secret-123|added-later-456|quo\\"te/);
    expect(out.text().match(/\[redacted\]/g)).toHaveLength(4);
  });
});

describe('token bucket', () => {
  it('allows a burst, refills at the rate, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets(
      () => ({ enabled: true, perSecond: 2, burst: 4 }),
      () => now,
    );
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([0, 0, 0, 0]);
    expect(buckets.take('a')).toBe(1);
    now += 500; // one token back
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    expect(buckets.take('b')).toBe(0);
  });
});
