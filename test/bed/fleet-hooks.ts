/**
 * The shell side of the fleet bed (fleet.ts): git hooks and the per-node
 * publisher. Layout under the fleet root:
 *
 *   site.git/            bare repo; post-receive extracts releases/<n>, then publishes per node
 *   releases/<n>/        the pushed tree's publish dir, one per push (0 is empty)
 *   nodes/<i>/serve      what node i's nginx serves: -> root (or -> ../../empty while loading)
 *   nodes/<i>/root       -> ../../releases/<n> (symlink mode), or a mount point (mount mode)
 *   nodes/<i>/release    release number node i serves; publishes never go backwards
 *   nodes/<i>/stuck      present: the publisher leaves the node alone (symlink-form stuck node)
 *   nodes/<i>/held       newest release held back from a stuck node
 *   delays               line <n>: each node's delay for release <n>, seconds
 *   publish.log          `<epoch ms> node <i> release <n> <sha> published|held|skipped`
 *   reject               present: pre-receive refuses every push with this text
 *   before-swap.sh       present: run by each publisher right before its swap
 */

import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sq } from './shell.js';

export interface HookOptions {
  root: string;
  /** Node count: releases past the delays file go to every node at once. */
  nodes: number;
  branch: string;
  publishDir?: string;
  /** argv prefix that runs `mount` in the host namespace; absent: symlink mode. */
  mountHost?: string[];
}

/**
 * post-receive: a zero delay publishes before the push returns (a host that publishes before
 * it acknowledges); any other runs in its own session, so `git push` returns at once.
 */
export function postReceiveHook(o: HookOptions): string {
  const tree = o.publishDir ? `"$sha:${o.publishDir}"` : '"$sha"';
  return `#!/bin/sh
# Written by test/bed/fleet-hooks.ts: extracts the pushed tree, then publishes it to every node.
bed=${sq(o.root)} sha=
while read -r old new ref; do
  if [ "$ref" = ${sq(`refs/heads/${o.branch}`)} ] && [ "$new" != ${'0'.repeat(40)} ]; then sha=$new; fi
done
[ -n "$sha" ] || exit 0
n=$(( $(cat "$bed/push-count") + 1 ))
echo "$n" > "$bed/push-count"
mkdir -p "$bed/releases/$n"
GIT_DIR="$bed/site.git" git archive --format=tar ${tree} | tar -x -C "$bed/releases/$n"
delays=$(sed -n "\${n}p" "$bed/delays")
i=0
for delay in \${delays:-${Array(o.nodes).fill('0').join(' ')}}; do
  if [ "$delay" = 0 ]; then
    /bin/sh "$bed/publish.sh" "$i" "$n" "$sha" 0 </dev/null >/dev/null 2>&1
  else
    setsid /bin/sh "$bed/publish.sh" "$i" "$n" "$sha" "$delay" </dev/null >/dev/null 2>&1 &
  fi
  i=$((i + 1))
done
`;
}

/** Node $1 gets release $2 (commit $3) after $4 seconds, unless it is stuck or already newer. */
export function publisherScript(o: HookOptions): string {
  const swap = o.mountHost
    ? `${o.mountHost.map(sq).join(' ')} mount --bind "$bed/releases/$n" "$node/root"`
    : `ln -s "../../releases/$n" "$node/root.tmp.$n" && mv -T "$node/root.tmp.$n" "$node/root"`;
  return `#!/bin/sh
# Written by test/bed/fleet-hooks.ts: publishes one release to one node.
i=$1 n=$2 sha=$3 bed=${sq(o.root)}
node="$bed/nodes/$i"
echo $$ > "$bed/pids/$i.$n"
sleep "$4"
log() { echo "$(date +%s%3N) node $i release $n $sha $1" >> "$bed/publish.log"; }
# One publish per node at a time, so "never go backwards" holds under overlapping delays.
exec 9>"$node/lock"
flock 9
if [ -e "$node/stuck" ]; then
  # Remember the newest held release: unsticking catches up with it.
  [ "$n" -le "$(cat "$node/held" 2>/dev/null || echo 0)" ] || echo "$n" > "$node/held"
  log held
elif [ "$n" -le "$(cat "$node/release")" ]; then
  log skipped
else
  if [ -x "$bed/before-swap.sh" ]; then
    FLEET_NODE="$i" FLEET_RELEASE="$n" "$bed/before-swap.sh" </dev/null >/dev/null 2>&1
  fi
  ${swap}
  echo "$n" > "$node/release"
  log published
fi
rm -f "$bed/pids/$i.$n"
`;
}

/** Refuses every push while `reject` exists, with its text as git's message. */
export function preReceiveHook(root: string): string {
  return `#!/bin/sh
# Written by test/bed/fleet-hooks.ts: a pipeline that can be switched to refuse deploys.
cat >/dev/null
if [ -f ${sq(`${root}/reject`)} ]; then
  cat ${sq(`${root}/reject`)} >&2
  exit 1
fi
`;
}

/** One line per release: each node's delay in seconds ("0" exactly for none). */
export function delayLines(
  nodes: number,
  releases: number,
  delay: number | ((node: number, release: number) => number),
): string {
  const lines: string[] = [];
  for (let release = 1; release <= releases; release++) {
    const row: string[] = [];
    for (let node = 0; node < nodes; node++) {
      const ms = Math.max(0, typeof delay === 'function' ? delay(node, release) : delay);
      row.push(ms === 0 ? '0' : (ms / 1000).toFixed(3));
    }
    lines.push(row.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

export interface PublishEvent {
  at: number;
  node: number;
  release: number;
  sha: string;
  what: 'published' | 'held' | 'skipped';
}

export function parsePublishLog(text: string): PublishEvent[] {
  const re = /^(\d+) node (\d+) release (\d+) (\S+) (published|held|skipped)$/;
  return text
    .split('\n')
    .map((line) => re.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      at: Number(m[1]),
      node: Number(m[2]),
      release: Number(m[3]),
      sha: m[4]!,
      what: m[5] as PublishEvent['what'],
    }));
}

export async function writeExecutable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

/** Publishers still waiting or running: each keeps a pid file until it is done. */
export async function publisherPids(root: string): Promise<number[]> {
  const files = await readdir(join(root, 'pids')).catch(() => [] as string[]);
  const pids: number[] = [];
  for (const file of files) {
    const pid = Number((await readFile(join(root, 'pids', file), 'utf8').catch(() => '')).trim());
    if (pid > 0) pids.push(pid);
  }
  return pids;
}

/** Each delayed publisher leads its own session (setsid): the group takes its sleep along. */
export async function killPublishers(root: string): Promise<void> {
  for (const pid of await publisherPids(root)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already published and gone.
    }
  }
}
