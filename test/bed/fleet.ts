/**
 * Test bed: a "pages fleet". N nginx nodes on 127.0.0.2, 127.0.0.3, ... (one
 * shared port), fed by a bare git repo whose post-receive hook publishes each
 * push to every node after that node's own delay (fleet-hooks.ts). Faults:
 * a stuck node (2017: a daemon holding an old mount), a restart that answers
 * 404 while it "loads", a pipeline that refuses pushes.
 *
 * Publish modes: `symlink` swaps nodes/<i>/root atomically; `mount` has the
 * host bind-mount each release over nodes/<i>/root (root only, see
 * mount-ns.ts) and falls back to `symlink` where that is not permitted.
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetApi } from './fleet-faults.js';
import {
  delayLines,
  killPublishers,
  type PublishEvent,
  postReceiveHook,
  preReceiveHook,
  publisherScript,
  writeExecutable,
} from './fleet-hooks.js';
import { bedGit } from './git-pages.js';
import { loopbackAddresses, portFreeOnAll } from './loopback.js';
import { type MountHost, mountNamespaceUnavailable, startMountHost } from './mount-ns.js';
import { type NginxServer, startNginx } from './nginx.js';

export interface FleetOptions {
  /** Node count; node i listens on 127.0.0.(i + 2). */
  nodes: number;
  /** Default `symlink`. */
  publish?: 'symlink' | 'mount';
  /** Per node and 1-based release, ms; 0 publishes before the push returns. Default 0. */
  publishDelayMs?: number | ((node: number, release: number) => number);
  /** Subdirectory of the pushed tree that is published (default `public`). */
  publishDir?: string;
  branch?: string;
}

export interface FleetNode {
  index: number;
  address: string;
  /** `http://127.0.0.x:port/`. */
  url: string;
  /** The `nodes` vantage's name for it: `node:127.0.0.x` when the site uses the same port. */
  vantage: string;
}

/** How a stuck node was made: the 2017 mount namespace, or a symlink that stops moving. */
export type StuckForm = 'mount-namespace' | 'symlink';

export interface Fleet {
  root: string;
  /** file:// URL of the bare repo. */
  remote: string;
  /** The port every node (and an edge on 127.0.0.1) listens on. */
  port: number;
  nodes: FleetNode[];
  publishMode: 'symlink' | 'mount';
  /** Why `mount` was asked for and `symlink` runs, if so. */
  fallbackReason?: string;
  /** Pids of what the fleet runs now: nginx masters, the mount keeper, waiting publishers. */
  pids(): Promise<number[]>;
  /** Every publisher outcome so far, oldest first. */
  published(): Promise<PublishEvent[]>;
  /** From now on node i keeps serving what it serves now. */
  stick(i: number): Promise<StuckForm>;
  /** The 2017 fix: restart node i's daemon where it sees the current release. */
  unstick(i: number): Promise<void>;
  /**
   * Restarts node i's nginx. With loadingMs it comes back serving an empty root (404 for
   * everything) and gets its content `loadingMs` later, like a daemon that listens first.
   */
  restart(
    i: number,
    opts?: { loadingMs?: number },
  ): Promise<{ at: number; loaded: Promise<number> }>;
  /**
   * Shell that each publisher runs right before its swap (FLEET_NODE and FLEET_RELEASE set),
   * e.g. a CDN purge that races the publish; undefined removes it.
   */
  beforeSwap(shell: string | undefined): Promise<void>;
  /** A message: pushes are refused with it from now on; false: accepted again. */
  rejectPushes(message: string | false): Promise<void>;
  close(): Promise<void>;
}

/** Releases with a precomputed delay; later ones publish at once. */
const MAX_RELEASES = 1000;

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const root = await mkdtemp(join(tmpdir(), 'freshprobe-fleet-'));
  const state = new FleetState(root, opts);
  try {
    await state.start();
  } catch (err) {
    await state.close();
    throw err;
  }
  return state.api();
}

export class FleetState {
  readonly addresses: string[];
  port = 0;
  mountHost?: MountHost;
  fallbackReason?: string;
  readonly servers: Array<NginxServer | undefined> = [];
  /** Node i runs in a private copy of the host's mount namespace. */
  readonly privateNs = new Set<number>();
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly root: string,
    readonly opts: FleetOptions,
  ) {
    this.addresses = loopbackAddresses(opts.nodes);
  }

  async start(): Promise<void> {
    if (this.opts.publish === 'mount') {
      this.fallbackReason = await mountNamespaceUnavailable();
      if (!this.fallbackReason) this.mountHost = await startMountHost();
    }
    await this.layout();
    // The edge listens on 127.0.0.1 with the same port, hence it is checked too.
    this.port = await portFreeOnAll(['127.0.0.1', ...this.addresses]);
    for (let i = 0; i < this.opts.nodes; i++) this.servers[i] = await this.startNode(i);
  }

  async layout(): Promise<void> {
    const { root, opts } = this;
    const branch = opts.branch ?? 'main';
    await bedGit(['init', '-q', '--bare', `--initial-branch=${branch}`, join(root, 'site.git')]);
    await mkdir(join(root, 'releases', '0'), { recursive: true });
    await mkdir(join(root, 'empty'));
    await mkdir(join(root, 'pids'));
    await writeFile(join(root, 'push-count'), '0\n');
    await writeFile(join(root, 'publish.log'), '');
    const delay = opts.publishDelayMs ?? 0;
    await writeFile(join(root, 'delays'), delayLines(opts.nodes, MAX_RELEASES, delay));
    for (let i = 0; i < opts.nodes; i++) {
      const node = join(root, 'nodes', String(i));
      await mkdir(node, { recursive: true });
      if (this.mountHost) await mkdir(join(node, 'root'));
      else await symlink(join('..', '..', 'releases', '0'), join(node, 'root'));
      await symlink('root', join(node, 'serve'));
      await writeFile(join(node, 'release'), '0\n');
    }
    const hook = {
      root,
      nodes: opts.nodes,
      branch,
      publishDir: opts.publishDir ?? 'public',
      mountHost: this.mountHost?.enter,
    };
    const hooks = join(root, 'site.git', 'hooks');
    await writeExecutable(join(hooks, 'post-receive'), postReceiveHook(hook));
    await writeExecutable(join(hooks, 'pre-receive'), preReceiveHook(root));
    await writeExecutable(join(root, 'publish.sh'), publisherScript(hook));
  }

  startNode(i: number): Promise<NginxServer> {
    const wrap = this.privateNs.has(i) ? this.mountHost?.enterPrivate : this.mountHost?.enter;
    const serve = join(this.root, 'nodes', String(i), 'serve');
    return startNginx({ root: serve, host: this.addresses[i]!, port: this.port, wrap });
  }

  async restartNode(i: number, beforeStart?: () => Promise<void>): Promise<number> {
    await this.servers[i]?.close();
    this.servers[i] = undefined;
    await beforeStart?.();
    this.servers[i] = await this.startNode(i);
    return Date.now();
  }

  /** Points nodes/<i>/serve at `target` atomically. */
  async pointServe(i: number, target: string): Promise<void> {
    const node = join(this.root, 'nodes', String(i));
    await symlink(target, join(node, 'serve.tmp'));
    await rename(join(node, 'serve.tmp'), join(node, 'serve'));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await killPublishers(this.root);
    await Promise.all(this.servers.map((s) => s?.close()));
    await this.mountHost?.close();
    await rm(this.root, { recursive: true, force: true });
  }

  api(): Fleet {
    return fleetApi(this);
  }
}
