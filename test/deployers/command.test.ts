import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { DeployRequest } from '../../src/core/ports.js';
import { createCommandDeployer } from '../../src/deployers/command.node.js';

const signal = new AbortController().signal;

const request: DeployRequest = {
  siteId: 'docs',
  seq: 12,
  token: 'tok12',
  path: '/freshprobe/canary.json',
  content: '{"freshprobe":1,"seq":12}\n',
  message: 'freshprobe canary docs #12',
};

/** Alive and not a zombie: a killed child may linger as a zombie until its parent reaps it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('command deployer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshprobe-command-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs an argv command with the canary in its environment and keeps the output', async () => {
    // stderr and stdout are separate pipes: only the order within each is guaranteed.
    const script = [
      'echo "custom=$CUSTOM cwd=$(pwd)" >&2',
      'echo "file=$FRESHPROBE_CANARY_FILE"',
      'echo "content=$(cat "$FRESHPROBE_CANARY_FILE")"',
      'echo "path=$FRESHPROBE_CANARY_PATH token=$FRESHPROBE_TOKEN seq=$FRESHPROBE_SEQ site=$FRESHPROBE_SITE"',
      'sleep 0.2',
      'echo "Deployment complete: https://abc.pages.dev"',
    ].join('; ');
    const deployer = createCommandDeployer({
      command: ['sh', '-c', script],
      cwd: dir,
      env: { CUSTOM: 'yes', FRESHPROBE_TOKEN: 'spoofed' },
    });
    expect(deployer.kind).toBe('command');
    const receipt = await deployer.deploy(request, signal);
    const lines = receipt.output!.trim().split('\n');
    const file = lines.find((l) => l.startsWith('file='))!.slice('file='.length);
    expect(file).toMatch(/freshprobe-canary-.*\/canary\.json$/);
    expect(lines.filter((l) => !l.startsWith('file=')).sort()).toEqual([
      'Deployment complete: https://abc.pages.dev',
      `content=${request.content.trim()}`,
      `custom=yes cwd=${dir}`,
      'path=/freshprobe/canary.json token=tok12 seq=12 site=docs',
    ]);
    expect(receipt.detail).toBe('Deployment complete: https://abc.pages.dev');
    expect(receipt.acceptedAt).toBeGreaterThanOrEqual(receipt.startedAt);
    expect(existsSync(file)).toBe(false);
  });

  it('runs a string through /bin/sh -c and also writes the canary at dir + path', async () => {
    const deployer = createCommandDeployer({
      command: 'cmp "$FRESHPROBE_CANARY_FILE" "$DOCROOT$FRESHPROBE_CANARY_PATH" && echo same',
      dir,
      env: { DOCROOT: dir },
    });
    const receipt = await deployer.deploy(request, signal);
    expect(receipt.output).toBe('same\n');
    expect(await readFile(join(dir, 'freshprobe', 'canary.json'), 'utf8')).toBe(request.content);
  });

  it('fails on a non-zero exit with the last 2 KiB of output', async () => {
    const noise = 'for i in $(seq 1 300); do echo "uploading chunk $i"; done';
    const deployer = createCommandDeployer({
      command: ['sh', '-c', `${noise}; echo "Error: project not found" >&2; exit 3`],
    });
    const error = await deployer.deploy(request, signal).catch((e) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toMatch(
      /^command sh exited with code 3: .*uploading chunk 300\nError: project not found$/s,
    );
    expect(error.message.length).toBeLessThan(2100);
    expect(error.message).not.toContain('uploading chunk 1\n');
    expect(error.retryable).toBe(false);
  });

  it('kills the whole process group on timeout', async () => {
    const pids = join(dir, 'pids');
    const deployer = createCommandDeployer({
      command: ['sh', '-c', `sleep 60 & echo $! > ${pids}; echo $$ >> ${pids}; echo started; wait`],
      timeoutMs: 1_500,
    });
    const started = Date.now();
    const error = await deployer.deploy(request, signal).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toBe('command sh timed out after 1500 ms and was killed: started');
    expect(error.retryable).toBe(true);
    const [sleeper, shell] = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    await expect.poll(() => alive(sleeper!) || alive(shell!), { timeout: 2_000 }).toBe(false);
  });

  it('stops when the deploy is aborted', async () => {
    const deployer = createCommandDeployer({ command: ['sleep', '60'] });
    const error = await deployer.deploy(request, AbortSignal.timeout(200)).catch((e) => e);
    expect(error.message).toBe('command sleep aborted (no output)');
  });

  it('says when the program cannot be started', async () => {
    const deployer = createCommandDeployer({ command: ['freshprobe-no-such-program'] });
    await expect(deployer.deploy(request, signal)).rejects.toThrow(
      'command: cannot run freshprobe-no-such-program: spawn freshprobe-no-such-program ENOENT',
    );
  });
});
