import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bedGit } from '../bed/git-pages.js';
import { FILE, failure, gitFixture, request, signal } from './git-fixture.js';

const fx = gitFixture();

describe('git deployer over file://', () => {
  it('creates the branch in an empty repo, then updates it', async () => {
    const bed = await fx.pages();
    const d = fx.deployer(bed.remote);
    expect(d.kind).toBe('git');
    const first = await d.deploy(request(1), signal);
    const second = await d.deploy(request(2), signal);
    expect(second.detail).not.toBe(first.detail);
    expect(second.startedAt).toBeLessThanOrEqual(second.acceptedAt);
    expect(await fx.remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
    expect((await fx.remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('2');
    const head = await fx.remoteGit(bed, ['rev-parse', '--short', 'main']);
    expect(head.trim()).toBe(second.detail);
  });

  it('commits only the canary file, with the message and author given', async () => {
    const bed = await fx.pages();
    const other = join(fx.tmp, 'other');
    await bedGit(['clone', '-q', bed.remote, other], { env: fx.env });
    await mkdir(join(other, 'public'), { recursive: true });
    execFileSync('sh', ['-c', 'echo hi > public/index.html && echo x > README'], { cwd: other });
    await bedGit(['add', '-A'], { cwd: other, env: fx.env });
    await bedGit(['commit', '-q', '-m', 'site'], { cwd: other, env: fx.env });
    await bedGit(['push', '-q', 'origin', 'HEAD:main'], { cwd: other, env: fx.env });

    await fx.deployer(bed.remote).deploy(request(7), signal);
    const show = await fx.remoteGit(bed, [
      'show',
      '--name-only',
      '--format=%an <%ae>|%cn|%B',
      'main',
    ]);
    expect(show).toContain('freshprobe bot <bot@freshprobe.invalid>|freshprobe bot|');
    expect(show).toContain(request(7).message);
    expect(show.trim().split('\n').at(-1)).toBe(FILE);
    const files = await fx.remoteGit(bed, [
      'diff-tree',
      '--no-commit-id',
      '--name-only',
      '-r',
      'main',
    ]);
    expect(files.trim()).toBe(FILE);
    expect(await fx.remoteGit(bed, ['show', 'main:README'])).toBe('x\n');
  });

  it('makes no empty commit when the branch already has the content', async () => {
    const bed = await fx.pages();
    const d = fx.deployer(bed.remote);
    const first = await d.deploy(request(3), signal);
    const again = await d.deploy(request(3), signal);
    expect(again.detail).toBe(first.detail);
    expect(again.startedAt).toBeLessThanOrEqual(again.acceptedAt);
    // A fresh deployer (a restart resuming the canary) behaves the same.
    const resumed = await fx.deployer(bed.remote).deploy(request(3), signal);
    expect(resumed.detail).toBe(first.detail);
    expect((await fx.remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('1');
  });

  it('reports the pre-receive hook message, not retryable', async () => {
    const bed = await fx.pages({ rejectPushes: 'GL-HOOK-ERR: pushes to main are frozen' });
    const err = await failure(fx.deployer(bed.remote).deploy(request(1), signal));
    expect(err.message).toContain('GL-HOOK-ERR: pushes to main are frozen');
    expect(err.message).toMatch(/pre-receive hook declined/);
    expect(err.retryable).toBe(false);
  });

  it('recovers from a refused first push: the clone is reset, nothing unpushed lingers', async () => {
    const bed = await fx.pages({ rejectPushes: true });
    const workdir = join(fx.tmp, 'clone');
    const d = fx.deployer(bed.remote, { workdir });
    await failure(d.deploy(request(1), signal));
    await rm(join(bed.bareDir, 'hooks', 'pre-receive'));
    // As if a git killed mid-way had left its lock behind.
    await writeFile(join(workdir, '.git', 'index.lock'), '');
    await d.deploy(request(2), signal);
    expect((await fx.remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('1');
    expect(await fx.remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
  });

  it('rebases and retries once when someone else pushed in between', async () => {
    const bed = await fx.pages();
    const other = join(fx.tmp, 'other');
    let race = false;
    const now = () => {
      // Called just before `git push`: land a competing commit right then.
      if (race) {
        race = false;
        execFileSync(
          'sh',
          ['-c', 'echo theirs > theirs.txt && git add . && git commit -qm theirs'],
          {
            cwd: other,
            env: fx.env,
          },
        );
        execFileSync('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: other, env: fx.env });
      }
      return Date.now();
    };
    const d = fx.deployer(bed.remote, { now });
    await d.deploy(request(1), signal);
    await bedGit(['clone', '-q', bed.remote, other], { env: fx.env });
    race = true;
    const receipt = await d.deploy(request(2), signal);
    const log = await fx.remoteGit(bed, ['log', '--format=%s', 'main']);
    expect(log.trim().split('\n')).toEqual([
      'freshprobe canary docs #2',
      'theirs',
      'freshprobe canary docs #1',
    ]);
    expect(receipt.detail).toBe((await fx.remoteGit(bed, ['rev-parse', '--short', 'main'])).trim());
    expect(await fx.remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
  });

  it('runs concurrent deploys one at a time', async () => {
    const bed = await fx.pages();
    const d = fx.deployer(bed.remote);
    await Promise.all([1, 2, 3].map((seq) => d.deploy(request(seq), signal)));
    expect((await fx.remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('3');
  });
});
