/**
 * Test bed: a Pages-like pipeline made of a bare git repo and two small shell
 * hooks. A push to the branch is published (the pushed tree exported into a
 * new release dir, then an atomic `current` symlink swap) after a delay that
 * runs in the background, so `git push` returns at once like a Pages queue.
 * Every publish appends `<epoch ms> published <sha>` to a log: the true
 * publish time, to compare what probes measured against.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface GitPagesOptions {
  /**
   * Delay before a push is published, ms; a function gets the 1-based push
   * number (sampled for the first 1000 pushes at creation). Publishes are not
   * ordered: an earlier push with a longer delay goes live last and wins, which
   * is how a lost or overtaken deploy can be staged.
   */
  publishDelayMs?: number | ((seq: number) => number);
  /** Install a pre-receive hook that refuses every push; a string is its message. */
  rejectPushes?: boolean | string;
  /** Directory to build in (default: a new temp dir, removed by close()). */
  root?: string;
  /** Branch that gets published (default `main`). */
  branch?: string;
  /** Subdirectory of the tree to publish, like GitLab's `public/` (default: the whole tree). */
  publishDir?: string;
}

export interface GitPages {
  /** file:// URL of the bare repo. */
  remote: string;
  bareDir: string;
  /** The `current` symlink -> releases/<n>; serve this directory. */
  servedDir: string;
  /** Directory holding the bare repo (for git-http / git-daemon project roots). */
  root: string;
  /** Publishes so far, oldest first, from the hook's log. */
  published(): Promise<Array<{ at: number; sha: string }>>;
  /** Kills pending publishers; removes the root if the bed created it. */
  close(): Promise<void>;
}

/** How many pushes get a precomputed delay; later pushes publish at once. */
const MAX_PUSHES = 1000;
const REPO = 'site.git';

/** Environment for git in tests: no system or global config, a fixed identity. */
export function bedGitEnv(home: string = tmpdir()): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'freshprobe bed',
    GIT_AUTHOR_EMAIL: 'bed@freshprobe.invalid',
    GIT_COMMITTER_NAME: 'freshprobe bed',
    GIT_COMMITTER_EMAIL: 'bed@freshprobe.invalid',
    GIT_TERMINAL_PROMPT: '0',
  };
  // A test run from inside a git hook would otherwise point every git call at that repo.
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG_COUNT']) delete env[k];
  return env;
}

/** Runs git (argv, no shell) for tests and beds; returns stdout, throws with stderr. */
export async function bedGit(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const { stdout } = await execFileP('git', args, {
    cwd: opts.cwd,
    env: opts.env ?? bedGitEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Single-quotes a value for /bin/sh. */
function sq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Creates the bare repo, its hooks and an empty first release. */
export async function createGitPages(opts: GitPagesOptions = {}): Promise<GitPages> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'freshprobe-pages-')));
  const bareDir = join(root, REPO);
  const servedDir = join(root, 'current');
  const branch = opts.branch ?? 'main';
  await bedGit(['init', '-q', '--bare', `--initial-branch=${branch}`, bareDir]);
  await mkdir(join(root, 'releases', '0'), { recursive: true });
  await symlink(join('releases', '0'), servedDir);
  await writeFile(join(root, 'push-count'), '0\n');
  await mkdir(join(root, 'pids'));
  await writeFile(join(root, 'publish.log'), '');
  await writeFile(join(root, 'delays'), delayLines(opts.publishDelayMs ?? 0));
  await writeHooks(root, bareDir, branch, opts);
  return {
    remote: `file://${bareDir}`,
    bareDir,
    servedDir,
    root,
    published: () => readPublishLog(root),
    close: async () => {
      await killPublishers(root);
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}

/** One line per push number, in seconds for sleep(1); a function is sampled once per push. */
function delayLines(delay: number | ((seq: number) => number)): string {
  const lines: string[] = [];
  for (let seq = 1; seq <= MAX_PUSHES; seq++) {
    const ms = typeof delay === 'function' ? delay(seq) : delay;
    lines.push((Math.max(0, ms) / 1000).toFixed(3));
  }
  return `${lines.join('\n')}\n`;
}

async function writeHooks(
  root: string,
  bareDir: string,
  branch: string,
  opts: GitPagesOptions,
): Promise<void> {
  const tree = opts.publishDir ? `"$sha:${opts.publishDir}"` : '"$sha"';
  const publish = `#!/bin/sh
# Written by test/bed/git-pages.ts: publishes release $1 (commit $2) after $3 seconds.
n=$1 sha=$2 bed=${sq(root)}
echo $$ > "$bed/pids/$n"
sleep "$3"
mkdir -p "$bed/releases/$n"
GIT_DIR=${sq(bareDir)} git archive --format=tar ${tree} | tar -x -C "$bed/releases/$n"
ln -s "releases/$n" "$bed/current.tmp.$n"
mv -T "$bed/current.tmp.$n" "$bed/current"
echo "$(date +%s%3N) published $sha" >> "$bed/publish.log"
rm -f "$bed/pids/$n"
`;
  const postReceive = `#!/bin/sh
# Written by test/bed/git-pages.ts: queues a publish of the pushed branch.
bed=${sq(root)} sha=
while read -r old new ref; do
  if [ "$ref" = ${sq(`refs/heads/${branch}`)} ] && [ "$new" != ${'0'.repeat(40)} ]; then sha=$new; fi
done
[ -n "$sha" ] || exit 0
n=$(( $(cat "$bed/push-count") + 1 ))
echo "$n" > "$bed/push-count"
delay=$(sed -n "\${n}p" "$bed/delays")
# Own session and detached stdio: git push does not wait, and close() can kill the group.
setsid /bin/sh "$bed/publish.sh" "$n" "$sha" "\${delay:-0}" </dev/null >/dev/null 2>&1 &
`;
  await writeExecutable(join(root, 'publish.sh'), publish);
  await writeExecutable(join(bareDir, 'hooks', 'post-receive'), postReceive);
  if (opts.rejectPushes) {
    const msg = typeof opts.rejectPushes === 'string' ? opts.rejectPushes : 'pushes are disabled';
    const preReceive = `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' ${sq(msg)} >&2\nexit 1\n`;
    await writeExecutable(join(bareDir, 'hooks', 'pre-receive'), preReceive);
  }
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

async function readPublishLog(root: string): Promise<Array<{ at: number; sha: string }>> {
  const text = await readFile(join(root, 'publish.log'), 'utf8');
  return text
    .split('\n')
    .map((line) => /^(\d+) published ([0-9a-f]+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Number(m[1]), sha: m[2]! }));
}

/** Publishers still sleeping have a pid file (each removes its own when done). */
async function killPublishers(root: string): Promise<void> {
  const files = await readdir(join(root, 'pids')).catch(() => [] as string[]);
  for (const file of files) {
    const pid = Number((await readFile(join(root, 'pids', file), 'utf8').catch(() => '')).trim());
    if (!(pid > 0)) continue;
    try {
      // Each publisher leads its own session (setsid): the group takes its sleep along.
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already published and gone.
    }
  }
}
