import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startGitDaemon } from '../bed/git-daemon.js';
import { startGitHttp } from '../bed/git-http.js';
import { startStaticServer } from '../bed/static-server.js';
import { failure, gitFixture, request, signal, TOKEN } from './git-fixture.js';

const fx = gitFixture();

describe('git deployer over the network', () => {
  async function httpBed(password = TOKEN) {
    const bed = await fx.pages();
    const http = await startGitHttp({
      projectRoot: bed.root,
      username: 'oauth2',
      password,
      env: fx.env,
    });
    fx.defer(() => http.close());
    return { bed, http, remote: `${http.url}/site.git` };
  }

  it('pushes over HTTP with the token, which lands nowhere on disk', async () => {
    const { bed, http, remote } = await httpBed();
    const workdir = join(fx.tmp, 'http-clone');
    const d = fx.deployer(remote, { token: TOKEN, workdir });
    await d.deploy(request(1), signal);
    const receipt = await d.deploy(request(2), signal);
    expect((await fx.remoteGit(bed, ['rev-parse', '--short', 'main'])).trim()).toBe(receipt.detail);
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
    const err = await failure(fx.deployer(remote, { token: TOKEN }).deploy(request(1), signal));
    expect(err.message).toMatch(/authentication failed/i);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain(Buffer.from(`oauth2:${TOKEN}`).toString('base64'));
    expect(err.retryable).toBe(false);
  });

  it('fails retryably when nothing listens at the remote', async () => {
    const port = await freePort();
    const err = await failure(
      fx.deployer(`http://127.0.0.1:${port}/site.git`).deploy(request(1), signal),
    );
    expect(err.message).toMatch(/connect|refused/i);
    expect(err.retryable).toBe(true);
  });

  it('fails for an unknown repository, not retryably', async () => {
    const { http } = await httpBed();
    const d = fx.deployer(`${http.url}/nope.git`, { token: TOKEN });
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
    fx.defer(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { port } = server.address() as { port: number };
    const remote = `http://127.0.0.1:${port}/site.git`;

    const t0 = Date.now();
    const err = await failure(fx.deployer(remote, { timeoutMs: 800 }).deploy(request(1), signal));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err.message).toMatch(/timed out after 800 ms/);
    expect(err.retryable).toBe(true);
    await expect.poll(() => sockets.size, { timeout: 2_000 }).toBe(0);
    // The interrupted clone left nothing that could pass for a clone.
    expect((await readdir(fx.tmp)).filter((f) => f.startsWith('clone-'))).toEqual([]);

    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const aborted = await failure(fx.deployer(remote).deploy(request(1), abort.signal));
    expect(aborted.message).toMatch(/aborted/);
    await expect.poll(() => sockets.size, { timeout: 2_000 }).toBe(0);
  });

  it('pushes over git:// to git daemon', async () => {
    const bed = await fx.pages();
    const daemon = await startGitDaemon(bed.root, { env: fx.env });
    fx.defer(() => daemon.close());
    const receipt = await fx.deployer(`${daemon.url}/site.git`).deploy(request(1), signal);
    expect((await fx.remoteGit(bed, ['rev-parse', '--short', 'main'])).trim()).toBe(receipt.detail);
  });
});

describe('git deployer into a Pages-like pipeline', () => {
  it('is published no earlier than the delay after the push was accepted', async () => {
    const bed = await fx.pages({ publishDelayMs: 1500, publishDir: 'public' });
    const site = await startStaticServer(bed.servedDir);
    fx.defer(() => site.close());
    const url = `${site.url}/freshprobe/canary.json`;
    expect((await fetch(url)).status).toBe(404);

    const receipt = await fx.deployer(bed.remote).deploy(request(1), signal);
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
