import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedGit, bedGitEnv, createGitPages, type GitPages } from './git-pages.js';

let tmp: string;
let bed: GitPages | undefined;
const env = bedGitEnv();

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'freshprobe-bed-'));
});
afterEach(async () => {
  await bed?.close();
  bed = undefined;
  await rm(tmp, { recursive: true, force: true });
});

/** Commits `text` as public/a.txt in a working clone and pushes it; returns the sha. */
async function push(work: string, text: string): Promise<string> {
  await writeFile(join(work, 'public', 'a.txt'), text);
  await bedGit(['add', '-A'], { cwd: work, env });
  await bedGit(['commit', '-q', '-m', text], { cwd: work, env });
  await bedGit(['push', '-q', 'origin', 'HEAD:main'], { cwd: work, env });
  return (await bedGit(['rev-parse', 'HEAD'], { cwd: work, env })).trim();
}

async function clone(pages: GitPages): Promise<string> {
  const work = join(tmp, 'work');
  await bedGit(['clone', '-q', pages.remote, work], { env });
  await bedGit(['checkout', '-q', '-b', 'main'], { cwd: work, env });
  await bedGit(['config', 'user.name', 'bed'], { cwd: work, env });
  await bedGit(['config', 'user.email', 'bed@freshprobe.invalid'], { cwd: work, env });
  await mkdir(join(work, 'public'));
  return work;
}

describe('git pages bed', () => {
  it('publishes each push after its own delay, swapping the current symlink', async () => {
    bed = await createGitPages({
      root: join(tmp, 'pages'),
      publishDir: 'public',
      publishDelayMs: (seq) => (seq === 1 ? 0 : 400),
    });
    const work = await clone(bed);
    const first = await push(work, 'one');
    await expect.poll(async () => (await bed!.published()).length).toBe(1);
    expect(await readFile(join(bed.servedDir, 'a.txt'), 'utf8')).toBe('one');
    const pushedAt = Date.now();
    const second = await push(work, 'two');
    // The push returned before the publish: the old release is still served.
    expect(await readFile(join(bed.servedDir, 'a.txt'), 'utf8')).toBe('one');
    await expect.poll(async () => (await bed!.published()).length, { timeout: 3_000 }).toBe(2);
    const log = await bed.published();
    expect(log.map((p) => p.sha)).toEqual([first, second]);
    expect(log[1]!.at - pushedAt).toBeGreaterThanOrEqual(350);
    expect(await readlink(bed.servedDir)).toBe(join('releases', '2'));
    expect(await readFile(join(bed.servedDir, 'a.txt'), 'utf8')).toBe('two');
  });

  it('kills pending publishers on close', async () => {
    bed = await createGitPages({ root: join(tmp, 'pages'), publishDelayMs: 30_000 });
    const work = await clone(bed);
    await push(work, 'slow');
    const pidDir = join(bed.root, 'pids');
    await expect.poll(async () => (await readdir(pidDir)).length).toBe(1);
    const [file] = await readdir(pidDir);
    const pid = Number(await readFile(join(pidDir, file!), 'utf8'));
    await bed.close();
    bed = undefined;
    await expect.poll(() => alive(pid)).toBe(false);
  });
});

/** Running, not a zombie (reaping orphans is up to pid 1, which may be slow in a container). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
