/**
 * Mount namespaces for replaying the 2017 Pages outage literally: a daemon that
 * runs in its own mount namespace keeps the mounts it started with, whatever
 * the host mounts on top later.
 *
 * Even the fleet's "host" mounts happen in a namespace of their own, held by a
 * keeper process: when the keeper and the nodes inside exit, the kernel drops
 * every mount with them, so a crashed test cannot leave a mount on the machine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

let probed: Promise<string | undefined> | undefined;

/**
 * Undefined when this process may create a mount namespace and bind-mount in it; otherwise why
 * not (not root, no CAP_SYS_ADMIN, a seccomp filter, no unshare). Probed once per process.
 */
export function mountNamespaceUnavailable(): Promise<string | undefined> {
  probed ??= execFileP(
    'unshare',
    ['-m', '--propagation', 'private', '--', 'mount', '--bind', tmpdir(), tmpdir()],
    { timeout: 5_000 },
  ).then(
    () => undefined,
    (err: Error & { stderr?: string }) => (err.stderr || err.message).trim(),
  );
  return probed;
}

export interface MountHost {
  /** The keeper's pid: its mount namespace is the fleet's "host". */
  pid: number;
  /** argv prefix that execs a command inside the host namespace. */
  enter: string[];
  /** argv prefix that execs a command in a private copy of the host namespace, made now. */
  enterPrivate: string[];
  /** Bind-mounts `source` over `target` in the host namespace (stacking on earlier mounts). */
  bind(source: string, target: string): Promise<void>;
  /** Ends the keeper; the namespace goes once the nodes inside it have exited too. */
  close(): Promise<void>;
}

/** Starts the keeper: `unshare -m` around a `cat` that exits when our end of its stdin closes. */
export async function startMountHost(): Promise<MountHost> {
  const keeper: ChildProcess = spawn(
    'unshare',
    ['-m', '--propagation', 'private', '--', 'sh', '-c', 'exec cat >/dev/null'],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
  await waitForNamespace(keeper);
  const enter = ['nsenter', '-t', String(keeper.pid), '-m', '--'];
  return {
    pid: keeper.pid!,
    enter,
    enterPrivate: [...enter, 'unshare', '-m', '--propagation', 'private', '--'],
    bind: async (source, target) => {
      await execFileP(enter[0]!, [...enter.slice(1), 'mount', '--bind', source, target]);
    },
    close: async () => {
      keeper.stdin?.end();
      const done = await Promise.race([exited.then(() => true), sleep(3_000, false)]);
      if (!done) {
        keeper.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** unshare has switched namespaces once the keeper's mount namespace differs from ours. */
async function waitForNamespace(keeper: ChildProcess): Promise<void> {
  const ours = await readlink('/proc/self/ns/mnt');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (keeper.exitCode !== null) throw new Error(`unshare exited with ${keeper.exitCode}`);
    const theirs = await readlink(`/proc/${keeper.pid}/ns/mnt`).catch(() => ours);
    if (theirs !== ours) return;
    await sleep(10);
  }
  keeper.kill('SIGKILL');
  throw new Error('the keeper did not enter its own mount namespace within 5 s');
}
