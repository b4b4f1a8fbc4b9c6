/**
 * Support for the operations tests: `serve` as a real child process, started
 * from an esbuild bundle of src/runtime/node.ts. The sources are the same as
 * bin/freshprobe.js runs through tsx; the bundle only skips per-start
 * transpiling, so a test can restart the server a hundred times in a minute.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let bundled: Promise<string> | undefined;

/**
 * Bundles once per test file. It lives two levels below the repository
 * (node_modules/.cache), where `../../drizzle` and `../../web/dist` resolve
 * like they do from src/storage and src/http. Packages are bundled too (one
 * file parses much faster than hundreds of CommonJS modules), except the
 * native better-sqlite3; playwright-core, which no ops test uses, is stubbed.
 */
export function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(REPO, 'node_modules', '.cache');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `freshprobe-ops-${process.pid}.mjs`);
    await build({
      entryPoints: [join(REPO, 'src/runtime/node.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3'],
      // Bundled CommonJS packages call require(): give the ESM bundle one.
      banner: {
        js: "import { createRequire as $cr } from 'node:module'; const require = $cr(import.meta.url);",
      },
      outfile,
      logLevel: 'error',
      tsconfig: join(REPO, 'tsconfig.json'),
      plugins: [noWebBuild, noPlaywright],
    });
    return outfile;
  })();
  return bundled;
}

export async function removeBundle(): Promise<void> {
  const file = await bundled?.catch(() => undefined);
  if (file) rmSync(file, { force: true });
  bundled = undefined;
}

/** The server would rebuild web assets on start; the tests use whatever web/dist holds. */
const noWebBuild = {
  name: 'no-web-build',
  setup(b: import('esbuild').PluginBuild) {
    b.onResolve({ filter: /web\/build(\.js)?$/ }, () => ({ path: 'web-build', namespace: 'stub' }));
    b.onLoad({ filter: /^web-build$/, namespace: 'stub' }, () => ({
      contents:
        'export const needsBuild = async () => false; export const buildWeb = async () => {};',
      loader: 'js',
    }));
    b.onLoad({ filter: /^pw$/, namespace: 'stub' }, () => ({
      contents:
        'export const chromium = { launch() { throw new Error("no browser in ops tests"); } };',
      loader: 'js',
    }));
  },
};

/** A browser vantage is not used here; loading playwright-core costs ~0.3 s CPU per start. */
const noPlaywright = {
  name: 'no-playwright',
  setup(b: import('esbuild').PluginBuild) {
    b.onResolve({ filter: /^playwright-core$/ }, () => ({ path: 'pw', namespace: 'stub' }));
  },
};

export interface Served {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the URL once the server says it is listening. */
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra file descriptors from fd 3 on (socket activation passes the socket here). */
  extraFds?: number[];
  /** Run through this shell line instead (gets the node command as "$@"). */
  shell?: string;
}

export async function spawnServe(args: string[], opts: SpawnOptions = {}): Promise<Served> {
  const file = await bundle();
  const command = [process.execPath, file, 'serve', ...args];
  const child = opts.shell
    ? spawn('sh', ['-c', opts.shell, 'sh', ...command], spawnOptions(opts))
    : spawn(command[0]!, command.slice(1), spawnOptions(opts));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const listening = new Promise<string>((resolveUrl, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`serve exited before listening:\n${out}`)));
  });
  listening.catch(() => undefined);
  return {
    child,
    pid: child.pid!,
    output: () => out,
    listening,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function spawnOptions(opts: SpawnOptions) {
  const fds = opts.extraFds ?? [];
  return {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', ...fds] as Array<'ignore' | 'pipe' | number>,
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  return (await res.json()) as T;
}
