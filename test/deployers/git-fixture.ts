/**
 * Shared setup for the git deployer tests: a temp dir per test, an isolated
 * git environment, Pages beds and deployers that are closed afterwards.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { DeployError } from '../../src/core/errors.js';
import type { Deployer, DeployRequest } from '../../src/core/ports.js';
import { createGitDeployer, type GitDeployerOptions } from '../../src/deployers/git.node.js';
import {
  bedGit,
  bedGitEnv,
  createGitPages,
  type GitPages,
  type GitPagesOptions,
} from '../bed/git-pages.js';

export const FILE = 'public/freshprobe/canary.json';
export const TOKEN = 'glpat-s3cret-T0ken-for-tests';
export const author = { name: 'freshprobe bot', email: 'bot@freshprobe.invalid' };
export const signal = new AbortController().signal;

/** The canary request the core would send for `seq`. */
export function request(seq: number): DeployRequest {
  const token = `tok${seq}`;
  const content = `${JSON.stringify({ freshprobe: 1, site: 'docs', seq, token })}\n`;
  const message = `freshprobe canary docs #${seq}\n\nAutomated freshness canary; touches only ${FILE}.`;
  return { siteId: 'docs', seq, token, path: '/freshprobe/canary.json', content, message };
}

/** Awaits a promise that must reject with a DeployError. */
export async function failure(p: Promise<unknown>): Promise<DeployError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeployError);
  return err as DeployError;
}

export interface GitFixture {
  /** This test's temp dir (removed afterwards). */
  readonly tmp: string;
  /** Git environment without system/global config. */
  readonly env: NodeJS.ProcessEnv;
  pages(opts?: GitPagesOptions): Promise<GitPages>;
  /** A deployer with a fresh workdir under tmp (override with `extra.workdir`). */
  deployer(remote: string, extra?: Partial<GitDeployerOptions>): Deployer;
  /** Runs git in the bed's bare repo. */
  remoteGit(bed: GitPages, args: string[]): Promise<string>;
  /** Runs after the test, in reverse order of registration. */
  defer(fn: () => Promise<void>): void;
}

/** Registers beforeEach/afterEach for the calling test file. */
export function gitFixture(): GitFixture {
  let tmp = '';
  let env: NodeJS.ProcessEnv = {};
  let clones = 0;
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'freshprobe-git-'));
    clones = 0;
    await mkdir(join(tmp, 'home'));
    env = bedGitEnv(join(tmp, 'home'));
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
    await rm(tmp, { recursive: true, force: true });
  });
  return {
    get tmp() {
      return tmp;
    },
    get env() {
      return env;
    },
    async pages(opts = {}) {
      const bed = await createGitPages({ root: join(tmp, 'pages'), ...opts });
      cleanups.push(() => bed.close());
      return bed;
    },
    deployer(remote, extra = {}) {
      const workdir = join(tmp, `clone-${++clones}`);
      const d = createGitDeployer({
        remote,
        branch: 'main',
        file: FILE,
        author,
        workdir,
        env,
        ...extra,
      });
      cleanups.push(() => d.close?.() ?? Promise.resolve());
      return d;
    },
    remoteGit: (bed, args) => bedGit(args, { cwd: bed.bareDir, env }),
    defer: (fn) => void cleanups.push(fn),
  };
}
