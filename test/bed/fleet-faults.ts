/**
 * The fleet's public face (fleet.ts): its nodes, the publish log, and the
 * faults a scenario turns on and off while freshprobe watches.
 */
import { readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet, FleetNode, FleetState, StuckForm } from './fleet.js';
import { parsePublishLog, publisherPids, writeExecutable } from './fleet-hooks.js';

export function fleetApi(state: FleetState): Fleet {
  const nodes: FleetNode[] = state.addresses.map((address, index) => ({
    index,
    address,
    url: `http://${address}:${state.port}/`,
    vantage: `node:${address}`,
  }));
  return {
    root: state.root,
    remote: `file://${join(state.root, 'site.git')}`,
    port: state.port,
    nodes,
    publishMode: state.mountHost ? 'mount' : 'symlink',
    ...(state.fallbackReason ? { fallbackReason: state.fallbackReason } : {}),
    pids: async () => [
      ...state.servers.flatMap((s) => (s ? [s.pid] : [])),
      ...(state.mountHost ? [state.mountHost.pid] : []),
      ...(await publisherPids(state.root)),
    ],
    published: async () => parsePublishLog(await readFile(join(state.root, 'publish.log'), 'utf8')),
    stick: (i) => stick(state, i),
    unstick: (i) => unstick(state, i),
    restart: (i, opts) => restart(state, i, opts?.loadingMs ?? 0),
    beforeSwap: async (shell) => {
      const file = join(state.root, 'before-swap.sh');
      if (shell === undefined) await rm(file, { force: true });
      else await writeExecutable(file, `#!/bin/sh\n${shell}\n`);
    },
    rejectPushes: async (message) => {
      const file = join(state.root, 'reject');
      if (message === false) await rm(file, { force: true });
      else await writeFile(file, `${message}\n`);
    },
    close: () => state.close(),
  };
}

/**
 * Mount mode, 2017 literally: the node's nginx restarts inside `unshare -m --propagation
 * private`, a copy of the host's mounts as they are now; every release the host bind-mounts
 * later lands outside it. Symlink mode: the publisher stops touching the node.
 */
async function stick(state: FleetState, i: number): Promise<StuckForm> {
  if (state.mountHost) {
    state.privateNs.add(i);
    await state.restartNode(i);
    return 'mount-namespace';
  }
  await writeFile(join(state.root, 'nodes', String(i), 'stuck'), '');
  return 'symlink';
}

async function unstick(state: FleetState, i: number): Promise<void> {
  if (state.mountHost) {
    state.privateNs.delete(i);
    await state.restartNode(i);
    return;
  }
  const node = join(state.root, 'nodes', String(i));
  await rm(join(node, 'stuck'), { force: true });
  const held = await readNumber(join(node, 'held'));
  if (held <= (await readNumber(join(node, 'release')))) return;
  // Catch up like the publisher would have: atomic swap, then the log line.
  await symlink(join('..', '..', 'releases', String(held)), join(node, 'root.tmp'));
  await rename(join(node, 'root.tmp'), join(node, 'root'));
  await writeFile(join(node, 'release'), `${held}\n`);
  const line = `${Date.now()} node ${i} release ${held} - published\n`;
  await writeFile(join(state.root, 'publish.log'), line, { flag: 'a' });
}

async function readNumber(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8').catch(() => '0')).trim()) || 0;
}

/**
 * Stops node i and starts it again. With a loading time, the new nginx serves an empty dir
 * (404 for every path) until the content is swapped back in: the 2017 restart window.
 */
async function restart(state: FleetState, i: number, loadingMs: number) {
  const empty = join('..', '..', 'empty');
  const before = loadingMs > 0 ? () => state.pointServe(i, empty) : undefined;
  const at = await state.restartNode(i, before);
  if (loadingMs <= 0) return { at, loaded: Promise.resolve(at) };
  const loaded = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      state.pointServe(i, 'root').then(() => resolve(Date.now()), reject);
    }, loadingMs);
    state.timers.add(timer);
  });
  return { at, loaded };
}
