/**
 * Turns run results into the console table, JSON lines and the marked
 * BENCHMARKS.md section. Only the text between the markers is rewritten, so
 * notes written by hand around it survive `--write`.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { MachineLoad } from './machine-load.js';
import type { RunResult } from './monitor.js';
import { median, num } from './stats.js';

export const TARGET = { observationsPerSecond: 2_000, lagP99Ms: 50 };

export interface Setup {
  command: string;
  sites: number;
  warmupSeconds: number;
  seconds: number;
  /** Days of closed canaries each site starts with. */
  historyDays: number;
  serve: string;
  log: string;
  /** `revision()` when the runs started; others may commit while they run. */
  revision: string;
}

/** The code measured: commit, and whether src/ had uncommitted edits (others work in this tree). */
export function revision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'drizzle', 'package-lock.json') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' plus uncommitted src/ changes' : ''}`;
  } catch {
    return 'unknown commit (no git)';
  }
}

/** The revision at the start, and at the end too if the tree changed while the runs ran. */
function codeMeasured(atStart: string): string {
  const atEnd = revision();
  return atEnd === atStart ? atStart : `${atStart} at the start, ${atEnd} at the end`;
}

export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const ramGb = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus.length} CPUs (${model}), ${ramGb} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

const HEADER = [
  'run',
  'obs/s',
  'of due',
  'rows/s',
  'CPU/obs',
  'CPU',
  'lag p50',
  'p95',
  'p99',
  'max',
  'loop p99',
  'SQL/round',
  'compiled',
  'RSS',
  'errors',
  'other load',
];

/** One table row; `due` is observations/s offered (sites x vantages per 1 s interval). */
function row(label: string, r: RunResult): string[] {
  const cpuMs = r.cpuUserMs + r.cpuSystemMs;
  const windowMs = r.endedAt - r.startedAt;
  const rounds = r.observations / r.vantages;
  return [
    label,
    num(r.observationsPerSecond),
    `${num((100 * r.observationsPerSecond) / (r.sites * r.vantages), 1)}%`,
    num(r.rowsStored / (windowMs / 1000)),
    `${num(r.cpuPerObservationUs)} µs`,
    `${num((100 * cpuMs) / windowMs)}% of a core`,
    `${num(r.lagMs.p50, 1)} ms`,
    `${num(r.lagMs.p95, 1)} ms`,
    `${num(r.lagMs.p99, 1)} ms`,
    `${num(r.lagMs.max)} ms`,
    `${num(r.eventLoopDelayP99Ms, 1)} ms`,
    num(r.sql.executed / rounds, 1),
    num(r.sql.compiled / rounds, 1),
    `${num(r.rssMaxMb)} MB`,
    num(r.errors),
    r.load ? `${num(r.load.otherCores, 2)} cores` : 'n/a',
  ];
}

/**
 * The median of every figure, as a pseudo-run for the last table row. Counts are
 * normalized to a 1 s window so `row` derives rates from them the same way.
 */
export function medianRun(runs: RunResult[]): RunResult {
  const m = (pick: (r: RunResult) => number) => median(runs.map(pick));
  const first = runs[0]!;
  return {
    ...first,
    observationsPerSecond: m((r) => r.observationsPerSecond),
    cpuPerObservationUs: m((r) => r.cpuPerObservationUs),
    cpuUserMs: m((r) => (r.cpuUserMs + r.cpuSystemMs) / ((r.endedAt - r.startedAt) / 1000)),
    cpuSystemMs: 0,
    startedAt: 0,
    endedAt: 1000,
    observations: m((r) => r.observations / ((r.endedAt - r.startedAt) / 1000)),
    rowsStored: m((r) => r.rowsStored / ((r.endedAt - r.startedAt) / 1000)),
    lagMs: {
      samples: m((r) => r.lagMs.samples / ((r.endedAt - r.startedAt) / 1000)),
      p50: m((r) => r.lagMs.p50),
      p95: m((r) => r.lagMs.p95),
      p99: m((r) => r.lagMs.p99),
      max: m((r) => r.lagMs.max),
    },
    eventLoopDelayP99Ms: m((r) => r.eventLoopDelayP99Ms),
    rssMaxMb: m((r) => r.rssMaxMb),
    errors: m((r) => r.errors),
    sql: {
      executed: m((r) => r.sql.executed / ((r.endedAt - r.startedAt) / 1000)),
      compiled: m((r) => r.sql.compiled / ((r.endedAt - r.startedAt) / 1000)),
      commits: {
        count: m((r) => r.sql.commits.count / ((r.endedAt - r.startedAt) / 1000)),
        slow: m((r) => r.sql.commits.slow),
        maxMs: m((r) => r.sql.commits.maxMs),
      },
    },
    ...(runs.every((r) => r.load) ? { load: medianLoad(runs) } : {}),
  };
}

function medianLoad(runs: RunResult[]): MachineLoad {
  const m = (pick: (l: MachineLoad) => number) => median(runs.map((r) => pick(r.load!)));
  return {
    machineCores: m((l) => l.machineCores),
    serverCores: m((l) => l.serverCores),
    otherCores: m((l) => l.otherCores),
  };
}

function rows(runs: RunResult[]): string[][] {
  const out = runs.map((r, i) => row(String(i + 1), r));
  if (runs.length > 1) out.push(row('median', medianRun(runs)));
  return out;
}

export function consoleTable(runs: RunResult[]): string {
  const all = [HEADER, ...rows(runs)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  return all.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

/** The commits' times per run: a slow one stalls every probe (see checkpointer.node.ts). */
export function commitLine(runs: RunResult[]): string {
  const each = runs.map(({ sql: { commits: c } }) => {
    const slow = `${num(c.slow)} over 30 ms`;
    return `${num(c.count)} commits, ${slow}, the longest ${num(c.maxMs, 1)} ms`;
  });
  return `commits in the window, run by run: ${each.join('; ')}`;
}

/**
 * 1,000 sites are due exactly 2,000 observations a second, so a loop that keeps up measures
 * 2,000 give or take the probes a step's lag moves across the window's edges: a few in 60,000.
 * The rate counts as met within this share of the target, and the verdict shows one decimal.
 */
const WINDOW_EDGE_TOLERANCE = 0.001;

export function verdict(m: RunResult): string {
  const floor = TARGET.observationsPerSecond * (1 - WINDOW_EDGE_TOLERANCE);
  const rate = m.observationsPerSecond >= floor;
  const lag = m.lagMs.p99 <= TARGET.lagP99Ms;
  const due = m.sites * m.vantages;
  const parts = [
    `${num(m.observationsPerSecond, 1)} observations/s (${rate ? 'met' : 'missed'}, within the window's edges; ${num(due)}/s were due)`,
    `p99 lag ${num(m.lagMs.p99, 1)} ms (${lag ? 'met' : 'missed'})`,
  ];
  return `**${rate && lag ? 'Met' : 'Missed'}**: ${parts.join(', ')}.`;
}

/** Says so when other processes competed for the CPUs: lag and rate are then pessimistic. */
function busyNote(m: RunResult): string[] {
  const other = m.load?.otherCores ?? 0;
  if (other <= 0.25) return [];
  return [
    '',
    `Other processes used ${num(other, 2)} cores during the runs (median): lag and rate are pessimistic;`,
    'CPU per observation is the figure least affected.',
  ];
}

function history(days: number): string {
  if (days === 0) return 'no history';
  return `${days} days of closed canaries (every 30 min: ${num(days * 48)}, what burn-rate alerting reads)`;
}

export function section(setup: Setup, runs: RunResult[], date: string): string {
  const m = runs.length > 1 ? medianRun(runs) : runs[0]!;
  const table = [HEADER, HEADER.map(() => '---'), ...rows(runs)].map((r) => `| ${r.join(' | ')} |`);
  return [
    `Measured ${date} on ${machine()}; freshprobe at ${codeMeasured(setup.revision)}.`,
    '',
    `Command: \`${setup.command}\``,
    '',
    `Setup: ${num(setup.sites)} sites x [edge, origin] every 1 s = ${num(setup.sites * 2)} observations/s due;`,
    `each site starts with ${history(setup.historyDays)}, and its new canary open;`,
    `the target server answers \`${setup.serve}\`; ${setup.warmupSeconds} s warm-up, ${setup.seconds} s measured;`,
    `logs: ${setup.log === 'file' ? 'pino at info into a file, as `serve` logs (per-probe lines are debug)' : 'silent'}.`,
    '',
    ...table,
    '',
    `${commitLine(runs)}.`,
    '',
    `Target (>= ${num(TARGET.observationsPerSecond)} observations/s, p99 scheduling lag <= ${TARGET.lagP99Ms} ms): ${verdict(m)}`,
    ...busyNote(m),
  ].join('\n');
}

/** Replaces the marked section, or appends it when the file has none yet. */
