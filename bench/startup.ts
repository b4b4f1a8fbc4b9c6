/**
 * Startup bench: how long `serve` takes from spawn to ready (answering 200),
 * against the size of its database. Startup must not grow with the data:
 * nothing scans observations before the listener opens, and retention runs
 * later, in the background. bin/freshprobe.js (what `npx freshprobe` and
 * `npm start` run) twice: as shipped, running the prebuilt bundle
 * (dist/server, `npm run build:server`, built here first), and with
 * FRESHPROBE_TSX=1, the fallback that transpiles the sources through tsx.
 *
 *   npm run bench:startup                          # 0, 1M, 5M observations, 3 runs each
 *   npm run bench:startup -- --max 1000000 --runs 5 --write
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshBundle } from '../bin/bundle.js';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { seedObservations } from '../test/ops/seed.js';
import { markdownTable, median, numberFlag, writeMarkedSection } from './ops-sections.js';

const ROOT = resolve(import.meta.dirname, '..');
const SIZES = [0, 1_000_000, 5_000_000];

interface Run {
  /** Spawn to the first 200 from /readyz, ms. */
  readyMs: number;
  /** What the process says it took (server.listening startupMs). */
  startupMs: number;
  /** Of which loading the database and state (server.listening loadMs). */
  loadMs: number;
}

const BIN = join(ROOT, 'bin', 'freshprobe.js');

async function startOnce(tsx: boolean, dir: string): Promise<Run> {
  const spawned = performance.now();
  const env = { ...process.env, FRESHPROBE_TSX: tsx ? '1' : '' };
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--config', 'freshprobe.yaml', '--port', '0'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) ok(m[1]!.replace('localhost', '127.0.0.1'));
      });
      child.once('exit', () => fail(new Error(`serve exited:\n${out}`)));
    });
    while ((await fetch(`${url}/readyz`)).status !== 200)
      await new Promise((r) => setTimeout(r, 5));
    const readyMs = performance.now() - spawned;
    const startupMs = Number(/"startupMs":(\d+)/.exec(out)?.[1] ?? Number.NaN);
    const loadMs = Number(/"loadMs":(\d+)/.exec(out)?.[1] ?? Number.NaN);
    return { readyMs, startupMs, loadMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function database(rows: number, dir: string): Promise<{ bytes: number; seedMs: number }> {
  const file = join(dir, 'db.sqlite');
  const from = Date.now() - 20 * 86_400_000;
  const seedMs = rows ? seedObservations(file, { rows, sites: 50, from }) : 0;
  if (!rows) openSqliteStore(file).close();
  await mkdir(join(dir, 'www'), { recursive: true });
  const sites = [0, 1, 2].map(
    (i) =>
      `  - { id: site-${i}, url: "http://127.0.0.1:9/", deploy: { kind: local-dir, dir: www }, schedule: "0 0 1 1 *" }`,
  );
  await writeFile(
    join(dir, 'freshprobe.yaml'),
    `storage: { sqlite: db.sqlite }\nsites:\n${sites.join('\n')}\n`,
  );
  return { bytes: (await stat(file)).size, seedMs };
}

interface Row {
  rows: number;
  mb: number;
  bundled: Run[];
  tsx: Run[];
}

function table(rows: Row[], runs: number): string {
  const f = (runsOf: Run[], key: keyof Run) => `${median(runsOf.map((r) => r[key])).toFixed(0)} ms`;
  const lines = markdownTable(
    ['observations', 'file', 'bin: ready', 'of which loading', 'tsx fallback: ready'],
    rows.map((r) => [
      r.rows.toLocaleString('en-US'),
      `${r.mb.toFixed(1)} MB`,
      f(r.bundled, 'readyMs'),
      f(r.bundled, 'loadMs'),
      f(r.tsx, 'readyMs'),
    ]),
  );
  return `### Startup time against database size

\`npm run bench:startup\`: \`freshprobe serve\` (bin/freshprobe.js) with 3 sites on a database of N
observations (50 sites' worth), spawn to the first 200 from \`/readyz\`, median of ${runs} runs.
"bin" is what \`npx freshprobe serve\` and \`npm start\` run: the prebuilt bundle
(dist/server, built by \`npm run build:server\` on install, start, test and pack, and only used
while it matches the sources). "loading" is the \`loadMs\` the server logs with
\`server.listening\`: opening and migrating the database, reading the sites' state, starting the
scheduler (the rest is Node and module loading). "tsx fallback" is the same bin with
\`FRESHPROBE_TSX=1\`, what runs when no matching bundle exists. Load average at the end of the run
(1 / 5 / 15 min): ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}, ${cpus().length} cores.

${lines}

Startup does not grow with the database: migrations are a no-op on a current schema, and state
(sites, open canaries, vantage states) is read through indexes; observations are never scanned.
What remains is Node and module loading. The bundle is one file (the packages included, except
better-sqlite3; playwright-core is imported only when a browser vantage starts), so Node parses
one module instead of about a thousand; bin/freshprobe.js hashes the sources (about 10 ms) to
check that the bundle matches them. Through tsx, every module is resolved and transpiled (cached
after the first run), which is the difference in the last column.`;
}

/** Builds dist/server if it does not match the sources; the bench measures what ships. */
function ensureBundle(): void {
  // Others may be editing the sources: an edit during the build leaves a stale stamp, so retry.
  for (let attempt = 0; attempt < 5 && !freshBundle(); attempt++) {
    const script = join(ROOT, 'scripts', 'build-server.mjs');
    const built = spawnSync(process.execPath, [script], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('dist/server could not be built');
  }
  if (!freshBundle()) throw new Error('dist/server does not match the sources (edited meanwhile?)');
}

/**
 * One start through the bundle. Others may edit the sources meanwhile, and bin/freshprobe.js then
 * (rightly) falls back to tsx: rebuild, and measure again when the bundle went stale during the run.
 */
async function bundledOnce(dir: string): Promise<Run> {
  for (;;) {
    ensureBundle();
    const run = await startOnce(false, dir);
    if (freshBundle()) return run;
  }
}

async function main(argv: string[]): Promise<void> {
  const runs = numberFlag(argv, 'runs', 3);
  const max = numberFlag(argv, 'max', 5_000_000);
  ensureBundle();
  const rows: Row[] = [];
  for (const size of SIZES.filter((s) => s <= max)) {
    const dir = await mkdtemp(join(tmpdir(), 'freshprobe-startup-'));
    try {
      const { bytes, seedMs } = await database(size, dir);
      console.log(
        `${size} observations: ${(bytes / 1024 ** 2).toFixed(0)} MB, seeded in ${(seedMs / 1000).toFixed(1)} s`,
      );
      const row: Row = { rows: size, mb: bytes / 1024 ** 2, bundled: [], tsx: [] };
      for (let i = 0; i < runs; i++) {
        row.bundled.push(await bundledOnce(dir));
        row.tsx.push(await startOnce(true, dir));
      }
      rows.push(row);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const text = table(rows, runs);
  console.log(text);
  if (argv.includes('--write')) {
    await writeMarkedSection(join(ROOT, 'BENCHMARKS.md'), 'startup', text);
    console.log('\nBENCHMARKS.md updated');
  }
}

await main(process.argv.slice(2));
