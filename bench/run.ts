/**
 * `npm run bench`: the canary-loop benchmark. Each run forks a target HTTP
 * server and a monitor process (so neither's CPU is billed to the other),
 * prints a table and one JSON line per run, and with `--write` records the
 * figures in BENCHMARKS.md. Not part of `npm test`: it needs a quiet machine.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { waitQuiet } from './machine-load.js';
import type { RunResult } from './monitor.js';
import { writeMarkedSection } from './ops-sections.js';
import { runMonitor, startTargetServer, stopChildren } from './processes.js';
import type { HotFunction } from './profile.js';
import {
  commitLine,
  consoleTable,
  machine,
  medianRun,
  revision,
  type Setup,
  section,
  verdict,
} from './report.js';
import { num } from './stats.js';

/** Other load above this (cores) is called out: on 2 cores it starves the monitor. */
const QUIET_CORES = 0.25;
const MAX_ATTEMPTS = 5;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `npm run bench -- [--seconds 30] [--warmup 20] [--sites 1000] [--runs 1]
                     [--history-days 3] [--checkpoints worker|inline] [--serve 404|stale] [--log file|silent] [--wait-quiet] [--profile] [--write]`;

function options() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '20' },
      sites: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '1' },
      'history-days': { type: 'string', default: '3' },
      checkpoints: { type: 'string', default: 'worker' },
      serve: { type: 'string', default: '404' },
      log: { type: 'string', default: 'file' },
      'wait-quiet': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const int = (name: 'seconds' | 'warmup' | 'sites' | 'runs' | 'history-days', min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  if (values.serve !== '404' && values.serve !== 'stale')
    throw new Error('--serve must be 404 or stale');
  if (values.checkpoints !== 'worker' && values.checkpoints !== 'inline')
    throw new Error('--checkpoints must be worker or inline');
  if (values.log !== 'file' && values.log !== 'silent')
    throw new Error('--log must be file or silent');
  return {
    help: values.help,
    seconds: int('seconds', 1),
    warmup: int('warmup', 0),
    sites: int('sites', 1),
    runs: int('runs', 1),
    historyDays: int('history-days', 0),
    checkpoints: values.checkpoints as 'worker' | 'inline',
    serve: values.serve as '404' | 'stale',
    log: values.log as 'file' | 'silent',
    waitQuiet: values['wait-quiet'],
    profile: values.profile,
    write: values.write,
  };
}

type Options = ReturnType<typeof options>;

async function oneRun(o: Options): Promise<RunResult> {
  const docRoot = await mkdtemp(join(tmpdir(), 'freshprobe-bench-www-'));
  const server = await startTargetServer(o.serve, docRoot);
  const profileDir = o.profile ? join(ROOT, 'bench', 'results') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  try {
    return await runMonitor({
      port: server.port,
      serverPid: server.pid,
      sites: o.sites,
      warmupSeconds: o.warmup,
      historyDays: o.historyDays,
      checkpoints: o.checkpoints,
      seconds: o.seconds,
      serve: o.serve,
      log: o.log,
      docRoot,
      ...(profileDir ? { profileDir } : {}),
    });
  } finally {
    await server.stop();
    await rm(docRoot, { recursive: true, force: true });
  }
}

function printHotSpots(r: RunResult): void {
  if (!r.hotSpots) return;
  console.log('\nbusy time by area:');
  for (const a of r.hotSpots.areas) console.log(`  ${num(a.pct, 1).padStart(5)}%  ${a.area}`);
  const list = (title: string, fns: HotFunction[]) => {
    console.log(title);
    for (const f of fns) console.log(`  ${num(f.pct, 1).padStart(5)}%  ${f.name}  ${f.where}`);
  };
  list('hottest functions (self time):', r.hotSpots.functions);
  list('freshprobe functions (synchronous time including callees):', r.hotSpots.inclusive);
}

/** Ctrl-C or kill: stop the children (they clean up their temp files) and write nothing. */
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exitCode = 130;
    interrupt.abort(new Error('interrupted'));
    stopChildren();
  });
}

/**
 * With `--wait-quiet`, a run during which other processes took more than QUIET_CORES is
 * discarded and redone (up to MAX_ATTEMPTS), so the table shows the code, not the neighbours.
 */
async function quietRun(o: Options): Promise<RunResult> {
  for (let attempt = 1; ; attempt++) {
    if (o.waitQuiet) await waitQuiet(QUIET_CORES, 900_000, interrupt.signal, console.log);
    interrupt.signal.throwIfAborted();
    const r = await oneRun(o);
    const other = r.load?.otherCores ?? 0;
    if (other <= QUIET_CORES) return r;
    const retry = o.waitQuiet && attempt < MAX_ATTEMPTS;
    console.log(
      `warning: other processes used ${num(other, 2)} cores during the run${retry ? '; redoing it' : ''}`,
    );
    if (!retry) return r;
  }
}

async function main(): Promise<void> {
  const o = options();
  if (o.help) return void console.log(USAGE);
  const args = process.argv.slice(2).join(' ');
  const nice = os.getPriority();
  const setup: Setup = {
    // The priority is part of how the figures were made (see BENCHMARKS.md): keep it in the command.
    command: `${nice ? `nice -n ${nice} ` : ''}npm run bench${args ? ` -- ${args}` : ''}`,
    sites: o.sites,
    warmupSeconds: o.warmup,
    seconds: o.seconds,
    historyDays: o.historyDays,
    serve: o.serve,
    log: o.log,
    revision: revision(),
  };
  console.log(`${machine()}\nfreshprobe at ${setup.revision}\n${setup.command}\n`);
  const runs: RunResult[] = [];
  for (let i = 1; i <= o.runs; i++) {
    console.log(
      `run ${i}/${o.runs}: ${o.sites} sites, ${o.warmup} s warm-up + ${o.seconds} s measured...`,
    );
    const r = await quietRun(o);
    runs.push(r);
    console.log(JSON.stringify({ bench: 'canary-loop', run: i, ...setup, ...r }));
    printHotSpots(r);
  }
  console.log(`\n${consoleTable(runs)}\n\n${commitLine(runs)}\n`);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  if (errors)
    console.log(
      `warning: ${errors} observations were errors: ${JSON.stringify(runs.map((r) => r.errorClasses))}`,
    );
  const date = new Date().toISOString().slice(0, 10);
  console.log(`target: ${verdict(runs.length > 1 ? medianRun(runs) : runs[0]!)}`);
  if (o.write) {
    await writeMarkedSection(
      join(ROOT, 'BENCHMARKS.md'),
      'canary-loop',
      section(setup, runs, date),
    );
    console.log('BENCHMARKS.md updated');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
