import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { DeployRequest } from '../../src/core/ports.js';
import { createLocalDirDeployer } from '../../src/deployers/local-dir.node.js';

const signal = new AbortController().signal;
const isRoot = process.getuid?.() === 0;

function setImmutable(path: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function request(seq: number, path = '/freshprobe/canary.json'): DeployRequest {
  const content = `${JSON.stringify({ freshprobe: 1, site: 'docs', seq, token: `t${seq}` })}\n`;
  return { siteId: 'docs', seq, token: `t${seq}`, path, content, message: `canary #${seq}` };
}

describe('local-dir deployer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshprobe-localdir-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the canary at dir + path, creating parent directories', async () => {
    let t = 1000;
    const deployer = createLocalDirDeployer({ dir, now: () => t++ });
    expect(deployer.kind).toBe('local-dir');
    const receipt = await deployer.deploy(request(1), signal);
    expect(await readFile(join(dir, 'freshprobe', 'canary.json'), 'utf8')).toBe(request(1).content);
    expect(receipt.startedAt).toBe(1000);
    expect(receipt.acceptedAt).toBe(1001);
  });

  it('replaces the file by rename, leaving no temp files behind', async () => {
    const deployer = createLocalDirDeployer({ dir });
    await deployer.deploy(request(1), signal);
    await deployer.deploy(request(2), signal);
    const text = await readFile(join(dir, 'freshprobe', 'canary.json'), 'utf8');
    expect(JSON.parse(text).seq).toBe(2);
    expect(await readdir(join(dir, 'freshprobe'))).toEqual(['canary.json']);
  });

  it('never shows a reader a partial file while writing', async () => {
    const deployer = createLocalDirDeployer({ dir });
    const big = (seq: number) => ({ ...request(seq), content: `${String(seq).repeat(1 << 20)}\n` });
    await deployer.deploy(big(1), signal);
    const file = join(dir, 'freshprobe', 'canary.json');
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(file, 'utf8');
        expect(text === big(1).content || text === big(2).content).toBe(true);
        reads++;
      }
    })();
    await deployer.deploy(big(2), signal);
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
  });

  it('refuses paths that escape the directory', async () => {
    const deployer = createLocalDirDeployer({ dir });
    await expect(deployer.deploy(request(1, '/../escape.json'), signal)).rejects.toThrow(
      DeployError,
    );
  });

  it('fails with a non-retryable DeployError naming the path when the dir is missing', async () => {
    const missing = join(dir, 'not-mounted');
    const deployer = createLocalDirDeployer({ dir: missing });
    const err = await deployer.deploy(request(1), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployError);
    expect((err as DeployError).message).toContain(missing);
    expect((err as DeployError).message).toContain('ENOENT');
    expect((err as DeployError).retryable).toBe(false);
  });

  it('fails with a DeployError when a parent of the path is a file', async () => {
    await writeFile(join(dir, 'freshprobe'), 'not a dir');
    const deployer = createLocalDirDeployer({ dir });
    const err = await deployer.deploy(request(1), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployError);
    expect((err as DeployError).message).toContain(join(dir, 'freshprobe', 'canary.json'));
    expect((err as DeployError).retryable).toBe(false);
  });

  it('fails with a non-retryable DeployError when the dir is unwritable', async (ctx) => {
    const sub = join(dir, 'freshprobe');
    await mkdir(sub);
    // root ignores file modes, so as root the dir is made immutable instead (EPERM, not EACCES).
    if (!isRoot) await chmod(sub, 0o555);
    else if (!setImmutable(sub, true)) return ctx.skip('root without chattr +i support here');
    try {
      const deployer = createLocalDirDeployer({ dir });
      const err = await deployer.deploy(request(1), signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeployError);
      expect((err as DeployError).message).toContain(join(sub, 'canary.json'));
      expect((err as DeployError).message).toMatch(
        /(permission denied|not permitted) \(E(ACCES|PERM)\)/,
      );
      expect((err as DeployError).retryable).toBe(false);
      expect(await readdir(sub)).toEqual([]);
    } finally {
      if (isRoot) setImmutable(sub, false);
      else await chmod(sub, 0o755);
    }
  });
});
