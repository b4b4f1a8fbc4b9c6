/**
 * Startup bench: how long `serve` takes from spawn to ready (answering 200),
 * against the size of its database. Startup must not grow with the data:
 * nothing scans observations before the listener opens, and retention runs
 * later, in the background. Two launchers: bin/freshprobe.js (tsx, what
 * `npx freshprobe` runs) and an esbuild bundle (module loading without the
 * transpiler), to tell Node's and our own share apart.
 *
 *   npm run bench:startup                          # 0, 1M, 5M observations, 3 runs each
 *   npm run bench:startup -- --max 1000000 --runs 5 --write
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { seedObservations } from '../test/ops/seed.js';
import { bundle, removeBundle } from '../test/ops/support.js';
import { median, numberFlag, writeMarkedSection } from './ops-sections.js';

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

async function startOnce(entry: string, dir: string): Promise<Run> {
  const spawned = performance.now();
  const child = spawn(
    process.execPath,
    [entry, 'serve', '--config', 'freshprobe.yaml', '--port', '0'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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
  bin: Run[];
  bundled: Run[];
}

function table(rows: Row[], runs: number): string {
  const f = (runsOf: Run[], key: keyof Run) => `${median(runsOf.map((r) => r[key])).toFixed(0)} ms`;
  const lines = rows.map(
    (r) =>
      `| ${r.rows.toLocaleString('en-US')} | ${r.mb.toFixed(1)} MB | ${f(r.bin, 'readyMs')} | ${f(r.bundled, 'readyMs')} | ${f(r.bundled, 'loadMs')} |`,
  );
  return `### Startup time against database size

\`npm run bench:startup\`: \`serve\` with 3 sites on a database of N observations (50 sites' worth),
spawn to the first 200 from \`/readyz\`, median of ${runs} runs; "loading" is the \`loadMs\` the
server logs with \`server.listening\`: opening and migrating the database, reading the sites'
state, starting the scheduler (the rest is Node and module loading). Load average
at the end of the run (1 / 5 / 15 min): ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}, ${cpus().length} cores.

| observations | file | bin (tsx): ready | bundle: ready | of which loading |
|---:|---:|---:|---:|---:|
${lines.join('\n')}

Startup does not grow with the database: migrations are a no-op on a current schema, and state
(sites, open canaries, vantage states) is read through indexes; observations are never scanned.
What remains is Node and module loading: tsx transpiles on first use (and caches it), and
bin/freshprobe.js also loads playwright-core (about 0.3 s of CPU) because the browser prober imports
it statically; the bundle leaves it out. A lazy import there would bring \`npx freshprobe serve\`
closer to the bundle's figure.`;
}

async function main(argv: string[]): Promise<void> {
  const runs = numberFlag(argv, 'runs', 3);
  const max = numberFlag(argv, 'max', 5_000_000);
  const entry = { bin: join(ROOT, 'bin', 'freshprobe.js'), bundled: await bundle() };
  const rows: Row[] = [];
  for (const size of SIZES.filter((s) => s <= max)) {
    const dir = await mkdtemp(join(tmpdir(), 'freshprobe-startup-'));
    try {
      const { bytes, seedMs } = await database(size, dir);
      console.log(
        `${size} observations: ${(bytes / 1024 ** 2).toFixed(0)} MB, seeded in ${(seedMs / 1000).toFixed(1)} s`,
      );
      const row: Row = { rows: size, mb: bytes / 1024 ** 2, bin: [], bundled: [] };
      for (let i = 0; i < runs; i++) {
        row.bin.push(await startOnce(entry.bin, dir));
        row.bundled.push(await startOnce(entry.bundled, dir));
      }
      rows.push(row);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  await removeBundle();
  const text = table(rows, runs);
  console.log(text);
  if (argv.includes('--write')) {
    await writeMarkedSection(join(ROOT, 'BENCHMARKS.md'), 'startup', text);
    console.log('\nBENCHMARKS.md updated');
  }
}

await main(process.argv.slice(2));
