import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from './fleet.js';
import { bedGit, bedGitEnv } from './git-pages.js';
import { mountNamespaceUnavailable } from './mount-ns.js';

const env = bedGitEnv();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A working clone whose `push(text)` commits public/a.txt and pushes it. */
async function clone(fleet: Fleet) {
  const work = await mkdtemp(join(tmpdir(), 'freshprobe-fleet-work-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  await bedGit(['clone', '-q', fleet.remote, work], { env });
  await bedGit(['checkout', '-q', '-b', 'main'], { cwd: work, env });
  await mkdir(join(work, 'public'));
  return async (text: string) => {
    await writeFile(join(work, 'public', 'a.txt'), text);
    await bedGit(['add', '-A'], { cwd: work, env });
    await bedGit(['commit', '-q', '-m', text], { cwd: work, env });
    await bedGit(['push', '-q', 'origin', 'HEAD:main'], { cwd: work, env });
  };
}

async function start(opts: Parameters<typeof startFleet>[0]): Promise<Fleet> {
  const fleet = await startFleet(opts);
  cleanups.push(() => fleet.close());
  return fleet;
}

const read = async (url: string) => {
  const res = await fetch(new URL('a.txt', url));
  return res.status === 200 ? res.text() : `HTTP ${res.status}`;
};
const everyNode = (fleet: Fleet) => Promise.all(fleet.nodes.map((n) => read(n.url)));

/** Running, not a zombie (orphans are reaped by pid 1, which may be slow in a container). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('pages fleet bed', () => {
  it('publishes to each node after its delay, never backwards, and can refuse pushes', async () => {
    // Release 2 is slow on every node and overtaken by release 3: it must be skipped.
    const fleet = await start({
      nodes: 3,
      publishDelayMs: (node, release) => (release === 2 ? 3_000 : node === 2 ? 1_500 : 0),
    });
    expect(fleet.nodes.map((n) => n.vantage)).toEqual([
      'node:127.0.0.2',
      'node:127.0.0.3',
      'node:127.0.0.4',
    ]);
    const push = await clone(fleet);
    await push('one');
    expect(await everyNode(fleet)).toEqual(['one', 'one', 'HTTP 404']);
    await expect.poll(() => everyNode(fleet), { timeout: 4_000 }).toEqual(['one', 'one', 'one']);
    await push('two');
    await push('three');
    await expect
      .poll(() => everyNode(fleet), { timeout: 4_000 })
      .toEqual(['three', 'three', 'three']);
    await expect
      .poll(async () => (await fleet.published()).filter((e) => e.release === 2).length, {
        timeout: 5_000,
      })
      .toBe(3);
    const second = (await fleet.published()).filter((e) => e.release === 2);
    expect(second.map((e) => e.what)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(await everyNode(fleet)).toEqual(['three', 'three', 'three']);
    await fleet.rejectPushes('frozen for maintenance');
    await expect(push('four')).rejects.toThrow(/frozen for maintenance/);
  });

  it.each(['mount', 'symlink'] as const)(
    'in %s mode keeps a stuck node on its release until unstuck; a restart can load slowly',
    async (mode) => {
      const fleet = await start({ nodes: 2, publish: mode });
      const reason = mode === 'mount' ? await mountNamespaceUnavailable() : 'asked for';
      expect(fleet.publishMode).toBe(reason ? 'symlink' : 'mount');
      const push = await clone(fleet);
      await push('one');
      expect(await fleet.stick(1)).toBe(reason ? 'symlink' : 'mount-namespace');
      await push('two');
      await push('three');
      expect(await everyNode(fleet)).toEqual(['three', 'one']);
      await fleet.unstick(1);
      expect(await everyNode(fleet)).toEqual(['three', 'three']);
      const { at, loaded } = await fleet.restart(0, { loadingMs: 1_500 });
      expect(await read(fleet.nodes[0]!.url)).toBe('HTTP 404');
      expect((await loaded) - at).toBeGreaterThanOrEqual(1_500);
      expect(await everyNode(fleet)).toEqual(['three', 'three']);
    },
  );

  it('leaves no process, mount or directory behind', async () => {
    const fleet = await startFleet({ nodes: 2, publish: 'mount', publishDelayMs: 30_000 });
    const push = await clone(fleet);
    await push('pending');
    await fleet.stick(1);
    const pids = await fleet.pids();
    // Two nginx masters and a waiting publisher per node, plus the mount keeper if it runs.
    expect(pids.length).toBe(fleet.publishMode === 'mount' ? 5 : 4);
    await fleet.close();
    expect(existsSync(fleet.root)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(fleet.root);
    await expect.poll(() => pids.filter(alive)).toEqual([]);
  });
});
