import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { DeployRequest } from '../../src/core/ports.js';
import { createGitDeployer, type GitDeployerOptions } from '../../src/deployers/git.node.js';
import { freePort, startGitDaemon } from '../bed/git-daemon.js';
import { startGitHttp } from '../bed/git-http.js';
import { bedGit, bedGitEnv, createGitPages, type GitPages } from '../bed/git-pages.js';
import { startStaticServer } from '../bed/static-server.js';

const FILE = 'public/freshprobe/canary.json';
const TOKEN = 'glpat-s3cret-T0ken-for-tests';
const author = { name: 'freshprobe bot', email: 'bot@freshprobe.invalid' };
const signal = new AbortController().signal;

function request(seq: number): DeployRequest {
  const token = `tok${seq}`;
  const content = `${JSON.stringify({ freshprobe: 1, site: 'docs', seq, token })}\n`;
  const message = `freshprobe canary docs #${seq}\n\nAutomated freshness canary; touches only ${FILE}.`;
  return { siteId: 'docs', seq, token, path: '/freshprobe/canary.json', content, message };
}

let tmp: string;
let env: NodeJS.ProcessEnv;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'freshprobe-git-'));
  await mkdir(join(tmp, 'home'));
  env = bedGitEnv(join(tmp, 'home'));
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await rm(tmp, { recursive: true, force: true });
});

async function pages(opts: Parameters<typeof createGitPages>[0] = {}): Promise<GitPages> {
  const bed = await createGitPages({ root: join(tmp, 'pages'), ...opts });
  cleanups.push(() => bed.close());
  return bed;
}

function deployer(remote: string, extra: Partial<GitDeployerOptions> = {}) {
  const d = createGitDeployer({
    remote,
    branch: 'main',
    file: FILE,
    author,
    workdir: join(tmp, `clone-${cleanups.length}`),
    env,
    ...extra,
  });
  cleanups.push(() => d.close?.() ?? Promise.resolve());
  return d;
}

const remoteGit = (bed: GitPages, args: string[]) => bedGit(args, { cwd: bed.bareDir, env });

async function failure(p: Promise<unknown>): Promise<DeployError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeployError);
  return err as DeployError;
}

describe('git deployer over file://', () => {
  it('creates the branch in an empty repo, then updates it', async () => {
    const bed = await pages();
    const d = deployer(bed.remote);
    expect(d.kind).toBe('git');
    const first = await d.deploy(request(1), signal);
    const second = await d.deploy(request(2), signal);
    expect(second.detail).not.toBe(first.detail);
    expect(second.startedAt).toBeLessThanOrEqual(second.acceptedAt);
    expect(await remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
    expect((await remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('2');
    const head = await remoteGit(bed, ['rev-parse', '--short', 'main']);
    expect(head.trim()).toBe(second.detail);
  });

  it('commits only the canary file, with the message and author given', async () => {
    const bed = await pages();
    const other = join(tmp, 'other');
    await bedGit(['clone', '-q', bed.remote, other], { env });
    await mkdir(join(other, 'public'), { recursive: true });
    execFileSync('sh', ['-c', 'echo hi > public/index.html && echo x > README'], { cwd: other });
    await bedGit(['add', '-A'], { cwd: other, env });
    await bedGit(['commit', '-q', '-m', 'site'], { cwd: other, env });
    await bedGit(['push', '-q', 'origin', 'HEAD:main'], { cwd: other, env });

    await deployer(bed.remote).deploy(request(7), signal);
    const show = await remoteGit(bed, ['show', '--name-only', '--format=%an <%ae>|%cn|%B', 'main']);
    expect(show).toContain('freshprobe bot <bot@freshprobe.invalid>|freshprobe bot|');
    expect(show).toContain(request(7).message);
    expect(show.trim().split('\n').at(-1)).toBe(FILE);
    const files = await remoteGit(bed, [
      'diff-tree',
      '--no-commit-id',
      '--name-only',
      '-r',
      'main',
    ]);
    expect(files.trim()).toBe(FILE);
    expect(await remoteGit(bed, ['show', 'main:README'])).toBe('x\n');
  });

  it('makes no empty commit when the branch already has the content', async () => {
    const bed = await pages();
    const d = deployer(bed.remote);
    const first = await d.deploy(request(3), signal);
    const again = await d.deploy(request(3), signal);
    expect(again.detail).toBe(first.detail);
    expect(again.startedAt).toBeLessThanOrEqual(again.acceptedAt);
    // A fresh deployer (a restart resuming the canary) behaves the same.
    const resumed = await deployer(bed.remote).deploy(request(3), signal);
    expect(resumed.detail).toBe(first.detail);
    expect((await remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('1');
  });

  it('reports the pre-receive hook message, not retryable', async () => {
    const bed = await pages({ rejectPushes: 'GL-HOOK-ERR: pushes to main are frozen' });
    const err = await failure(deployer(bed.remote).deploy(request(1), signal));
    expect(err.message).toContain('GL-HOOK-ERR: pushes to main are frozen');
    expect(err.message).toMatch(/pre-receive hook declined/);
    expect(err.retryable).toBe(false);
  });

  it('recovers from a refused first push: the clone is reset, nothing unpushed lingers', async () => {
    const bed = await pages({ rejectPushes: true });
    const d = deployer(bed.remote);
    await failure(d.deploy(request(1), signal));
    await rm(join(bed.bareDir, 'hooks', 'pre-receive'));
    // As if a git killed mid-way had left its lock behind.
    await writeFile(join(tmp, 'clone-1', '.git', 'index.lock'), '');
    await d.deploy(request(2), signal);
    expect((await remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('1');
    expect(await remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
  });

  it('rebases and retries once when someone else pushed in between', async () => {
    const bed = await pages();
    const other = join(tmp, 'other');
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
            env,
          },
        );
        execFileSync('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: other, env });
      }
      return Date.now();
    };
    const d = deployer(bed.remote, { now });
    await d.deploy(request(1), signal);
    await bedGit(['clone', '-q', bed.remote, other], { env });
    race = true;
    const receipt = await d.deploy(request(2), signal);
    const log = await remoteGit(bed, ['log', '--format=%s', 'main']);
    expect(log.trim().split('\n')).toEqual([
      'freshprobe canary docs #2',
      'theirs',
      'freshprobe canary docs #1',
    ]);
    expect(receipt.detail).toBe((await remoteGit(bed, ['rev-parse', '--short', 'main'])).trim());
    expect(await remoteGit(bed, ['show', `main:${FILE}`])).toBe(request(2).content);
  });

  it('runs concurrent deploys one at a time', async () => {
    const bed = await pages();
    const d = deployer(bed.remote);
    await Promise.all([1, 2, 3].map((seq) => d.deploy(request(seq), signal)));
    expect((await remoteGit(bed, ['rev-list', '--count', 'main'])).trim()).toBe('3');
  });
});

describe('git deployer over the network', () => {
  async function httpBed(password = TOKEN) {
    const bed = await pages();
    const http = await startGitHttp({ projectRoot: bed.root, username: 'oauth2', password, env });
    cleanups.push(() => http.close());
    return { bed, http, remote: `${http.url}/site.git` };
  }

  it('pushes over HTTP with the token, which lands nowhere on disk', async () => {
    const { bed, http, remote } = await httpBed();
    const workdir = join(tmp, 'http-clone');
    const d = deployer(remote, { token: TOKEN, workdir });
    await d.deploy(request(1), signal);
    const receipt = await d.deploy(request(2), signal);
    expect((await remoteGit(bed, ['rev-parse', '--short', 'main'])).trim()).toBe(receipt.detail);
    expect(http.requests.length).toBeGreaterThan(0);
    expect(http.requests.every((r) => r.authorized)).toBe(true);
    const gitDir = join(workdir, '.git');
    expect(await readFile(join(gitDir, 'config'), 'utf8')).not.toContain(TOKEN);
    const basic = Buffer.from(`oauth2:${TOKEN}`).toString('base64');
    for (const file of await filesUnder(gitDir)) {
      const bytes = await readFile(file, 'latin1');
      expect(bytes.includes(TOKEN) || bytes.includes(basic), file).toBe(false);
    }
  });

  it('fails on a wrong token with an authentication error that hides the token', async () => {
    const { remote } = await httpBed('the-right-one');
    const err = await failure(deployer(remote, { token: TOKEN }).deploy(request(1), signal));
    expect(err.message).toMatch(/authentication failed/i);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain(Buffer.from(`oauth2:${TOKEN}`).toString('base64'));
    expect(err.retryable).toBe(false);
  });

  it('fails retryably when nothing listens at the remote', async () => {
    const port = await freePort();
    const err = await failure(
      deployer(`http://127.0.0.1:${port}/site.git`).deploy(request(1), signal),
    );
    expect(err.message).toMatch(/connect|refused/i);
    expect(err.retryable).toBe(true);
  });

  it('fails for an unknown repository, not retryably', async () => {
    const { http } = await httpBed();
    const d = deployer(`${http.url}/nope.git`, { token: TOKEN });
    const err = await failure(d.deploy(request(1), signal));
    expect(err.message).toMatch(/not found/i);
    expect(err.retryable).toBe(false);
  });

  it('kills git when it exceeds the timeout or the deploy is aborted', async () => {
    // A server that accepts and never answers: git would wait forever.
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.resume(); // read (and drop) the request so the client's FIN is seen
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { port } = server.address() as { port: number };
    const remote = `http://127.0.0.1:${port}/site.git`;

    const t0 = Date.now();
    const err = await failure(deployer(remote, { timeoutMs: 800 }).deploy(request(1), signal));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err.message).toMatch(/timed out after 800 ms/);
    expect(err.retryable).toBe(true);
    await expect.poll(() => sockets.size, { timeout: 2_000 }).toBe(0);
    // The interrupted clone left nothing that could pass for a clone.
    expect((await readdir(tmp)).filter((f) => f.startsWith('clone-'))).toEqual([]);

    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const aborted = await failure(deployer(remote).deploy(request(1), abort.signal));
    expect(aborted.message).toMatch(/aborted/);
    await expect.poll(() => sockets.size, { timeout: 2_000 }).toBe(0);
  });

  it('pushes over git:// to git daemon', async () => {
    const bed = await pages();
    const daemon = await startGitDaemon(bed.root, { env });
    cleanups.push(() => daemon.close());
    const receipt = await deployer(`${daemon.url}/site.git`).deploy(request(1), signal);
    expect((await remoteGit(bed, ['rev-parse', '--short', 'main'])).trim()).toBe(receipt.detail);
  });
});

describe('git deployer into a Pages-like pipeline', () => {
  it('is published no earlier than the delay after the push was accepted', async () => {
    const bed = await pages({ publishDelayMs: 1500, publishDir: 'public' });
    const site = await startStaticServer(bed.servedDir);
    cleanups.push(() => site.close());
    const url = `${site.url}/freshprobe/canary.json`;
    expect((await fetch(url)).status).toBe(404);

    const receipt = await deployer(bed.remote).deploy(request(1), signal);
    let firstHit = 0;
    while (Date.now() - receipt.acceptedAt < 10_000) {
      const res = await fetch(url);
      if (res.status === 200 && (await res.text()) === request(1).content) {
        firstHit = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(firstHit).toBeGreaterThan(0);
    // The hook starts its timer a little before `git push` returns, hence the small slack.
    expect(firstHit - receipt.acceptedAt).toBeGreaterThanOrEqual(1400);
    const [published] = await bed.published();
    expect(published?.sha.startsWith(receipt.detail ?? '?')).toBe(true);
    expect(published!.at - receipt.acceptedAt).toBeGreaterThanOrEqual(1400);
    expect(published!.at).toBeLessThanOrEqual(firstHit);
    expect(firstHit - published!.at).toBeLessThan(500);
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if ((await stat(path)).isFile()) out.push(path);
  }
  return out;
}
