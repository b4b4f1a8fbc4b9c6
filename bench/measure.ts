/**
 * What one measured window records: process CPU, scheduling lag, event-loop
 * delay and RSS while the loop runs, then the observations it stored.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setInterval as every } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Scheduler } from '../src/runtime/scheduler.node.js';
import { cpuSnapshot, type MachineLoad, machineLoad } from './machine-load.js';
import { type HotSpots, startProfile } from './profile.js';
import { type LagSummary, percentile, summarizeLag } from './stats.js';

export interface Window {
  /** Epoch ms, the clock freshprobe stamps observations with. */
  startedAt: number;
  endedAt: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  lagMs: LagSummary;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  rssMaxMb: number;
  /** SQL statements run, and compiled (prepared), on the monitor's connection; its commits. */
  sql: { executed: number; compiled: number; commits: CommitTimes };
  /** Absent where /proc is not available. */
  load?: MachineLoad;
  hotSpots?: HotSpots;
}

export interface WindowFigures extends Window {
  /** Probes judged and recorded (aggregates and vantage status) in the window. */
  observations: number;
  /** Of those, how many were also kept as rows of `observations`. */
  rowsStored: number;
  observationsPerSecond: number;
  cpuPerObservationUs: number;
  /** Observations judged `error` (a failed probe); 0 in a healthy run. */
  errors: number;
  byState: Record<string, number>;
  /** Why the errors were errors (timeout, connect...): tells an overloaded monitor from a bad site. */
  errorClasses: Record<string, number>;
  probeDurationP50Ms: number;
  probeDurationP99Ms: number;
}

const SAMPLE_EVERY_MS = 200;

/** A commit this long holds up every probe behind it (a checkpoint's fsync did, up to 1.2 s). */
const SLOW_COMMIT_MS = 30;

export interface CommitTimes {
  count: number;
  /** Commits that took longer than SLOW_COMMIT_MS. */
  slow: number;
  maxMs: number;
}

/**
 * Counts statements compiled and run on the connection while `on`. It patches the driver's
 * Statement prototype, so statements prepared before the window (a store that caches them)
 * are counted too. Bench-only instrumentation of this process: a counter per call.
 */
function sqlCounter(db: Database.Database) {
  const counts = { executed: 0, compiled: 0 };
  let on = false;
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>;
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (on) counts.executed++;
      return original.apply(this, args);
    };
  }
  const prepare = db.prepare;
  db.prepare = function (this: Database.Database, source: string) {
    if (on) counts.compiled++;
    return prepare.call(this, source);
  } as typeof db.prepare;
  // Grouped commits run as exec('COMMIT') on the event loop: time each one.
  const commits: CommitTimes = { count: 0, slow: 0, maxMs: 0 };
  const exec = db.exec;
  db.exec = function (this: Database.Database, source: string) {
    if (!on || source !== 'COMMIT') return exec.call(this, source);
    const started = performance.now();
    try {
      return exec.call(this, source);
    } finally {
      const ms = performance.now() - started;
      commits.count++;
      if (ms > SLOW_COMMIT_MS) commits.slow++;
      commits.maxMs = Math.max(commits.maxMs, ms);
    }
  } as typeof db.exec;
  return {
    start: () => {
      on = true;
    },
    stop: () => {
      on = false;
      return { ...counts, commits };
    },
  };
}

/**
 * `Scheduler.lagMs` is a ring of the newest 10,000 lags with a private cursor. Refilling it
 * with NaN after each read makes every non-NaN slot a sample recorded since the last read, so
 * the window's samples are collected exactly (at ~1,000 steps/s, 200 ms adds about 200).
 */
function drainLag(ring: number[], into: number[]): void {
  for (const v of ring) if (!Number.isNaN(v)) into.push(v);
  ring.fill(Number.NaN);
}

export interface WindowOptions {
  scheduler: Scheduler;
  ms: number;
  serverPid: number;
  /** The monitor's SQLite connection, whose statements are counted. */
  db: Database.Database;
  /** Aborts the window (the run was interrupted). */
  signal: AbortSignal;
  profileDir?: string;
}

export async function measureWindow({
  scheduler,
  ms,
  serverPid,
  db,
  signal,
  profileDir,
}: WindowOptions): Promise<Window> {
  const lags: number[] = [];
  drainLag(scheduler.lagMs, []); // warm-up samples are not part of the window
  const eld = monitorEventLoopDelay({ resolution: 10 });
  const profile = profileDir ? await startProfile() : undefined;
  let rssMax = process.memoryUsage.rss();
  eld.enable();
  const sql = sqlCounter(db);
  sql.start();
  const cpu0 = process.cpuUsage();
  const load0 = cpuSnapshot(serverPid);
  const startedAt = Date.now();
  for await (const _ of every(SAMPLE_EVERY_MS, undefined, { signal })) {
    drainLag(scheduler.lagMs, lags);
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    if (Date.now() - startedAt >= ms) break;
  }
  const endedAt = Date.now();
  const cpu = process.cpuUsage(cpu0);
  const sqlCounts = sql.stop();
  const load1 = cpuSnapshot(serverPid);
  eld.disable();
  drainLag(scheduler.lagMs, lags);
  const hotSpots = profile && profileDir ? await profile.stop(profileDir) : undefined;
  const monitorCores = (cpu.user + cpu.system) / 1000 / (endedAt - startedAt);
  const load = load0 && load1 ? machineLoad(load0, load1, monitorCores) : undefined;
  return {
    startedAt,
    endedAt,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    lagMs: summarizeLag(lags),
    eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
    eventLoopDelayMaxMs: eld.max / 1e6,
    rssMaxMb: rssMax / 2 ** 20,
    sql: sqlCounts,
    ...(load ? { load } : {}),
    ...(hotSpots ? { hotSpots } : {}),
  };
}

/** One judged probe, as the store's countProbe saw it. */
export interface ProbeRecord {
  startedAt: number;
  durationMs: number;
  state: string;
  errorClass?: string;
}

/**
 * Figures for the window from every probe the loop recorded (each judged probe goes through
 * `countProbe` into the hourly aggregates exactly once, and updates its vantage status), and
 * how many of them were also kept as `observations` rows (inside a canary window only the
 * informative ones are: src/core/keep.ts). Called after the scheduler stopped, so nothing is
 * in flight.
 */
export function countWindow(
  db: Database.Database,
  w: Window,
  probes: readonly ProbeRecord[],
): WindowFigures {
  const inWindow = probes.filter((p) => p.startedAt >= w.startedAt && p.startedAt < w.endedAt);
  const byState: Record<string, number> = {};
  const errorClasses: Record<string, number> = {};
  for (const p of inWindow) {
    byState[p.state] = (byState[p.state] ?? 0) + 1;
    if (p.errorClass) errorClasses[p.errorClass] = (errorClasses[p.errorClass] ?? 0) + 1;
  }
  const durations = inWindow.map((p) => p.durationMs);
  const rowsStored = (
    db
      .prepare('SELECT count(*) AS n FROM observations WHERE started_at >= ? AND started_at < ?')
      .get(w.startedAt, w.endedAt) as { n: number }
  ).n;
  const observations = inWindow.length;
  const cpuMs = w.cpuUserMs + w.cpuSystemMs;
  return {
    ...w,
    observations,
    rowsStored,
    observationsPerSecond: observations / ((w.endedAt - w.startedAt) / 1000),
    cpuPerObservationUs: observations ? (cpuMs * 1000) / observations : Number.NaN,
    errors: byState.error ?? 0,
    byState,
    errorClasses,
    probeDurationP50Ms: percentile(durations, 50),
    probeDurationP99Ms: percentile(durations, 99),
  };
}
