/**
 * What one measured window records: process CPU, scheduling lag, event-loop
 * delay and RSS while the loop runs, then the observations it stored.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setInterval as every } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Scheduler } from '../src/runtime/scheduler.node.js';
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
  hotSpots?: HotSpots;
}

export interface WindowFigures extends Window {
  observations: number;
  observationsPerSecond: number;
  cpuPerObservationUs: number;
  /** Observations judged `error` (a failed probe); 0 in a healthy run. */
  errors: number;
  byState: Record<string, number>;
  probeDurationP50Ms: number;
  probeDurationP99Ms: number;
}

const SAMPLE_EVERY_MS = 200;

/**
 * `Scheduler.lagMs` is a ring of the newest 10,000 lags with a private cursor. Refilling it
 * with NaN after each read makes every non-NaN slot a sample recorded since the last read, so
 * the window's samples are collected exactly (at ~1,000 steps/s, 200 ms adds about 200).
 */
function drainLag(ring: number[], into: number[]): void {
  for (const v of ring) if (!Number.isNaN(v)) into.push(v);
  ring.fill(Number.NaN);
}

export async function measureWindow(
  scheduler: Scheduler,
  ms: number,
  profileDir?: string,
): Promise<Window> {
  const lags: number[] = [];
  drainLag(scheduler.lagMs, []); // warm-up samples are not part of the window
  const eld = monitorEventLoopDelay({ resolution: 10 });
  const profile = profileDir ? await startProfile() : undefined;
  let rssMax = process.memoryUsage.rss();
  eld.enable();
  const cpu0 = process.cpuUsage();
  const startedAt = Date.now();
  for await (const _ of every(SAMPLE_EVERY_MS)) {
    drainLag(scheduler.lagMs, lags);
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    if (Date.now() - startedAt >= ms) break;
  }
  const endedAt = Date.now();
  const cpu = process.cpuUsage(cpu0);
  eld.disable();
  drainLag(scheduler.lagMs, lags);
  const hotSpots = profile && profileDir ? await profile.stop(profileDir) : undefined;
  return {
    startedAt,
    endedAt,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    lagMs: summarizeLag(lags),
    eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
    eventLoopDelayMaxMs: eld.max / 1e6,
    rssMaxMb: rssMax / 2 ** 20,
    ...(hotSpots ? { hotSpots } : {}),
  };
}

/** Counts the window's stored observations through a separate read-only connection. */
export function countWindow(dbFile: string, w: Window): WindowFigures {
  const db = new Database(dbFile, { readonly: true });
  try {
    const range = [w.startedAt, w.endedAt];
    const where = 'WHERE started_at >= ? AND started_at < ?';
    const states = db
      .prepare(`SELECT state, count(*) AS n FROM observations ${where} GROUP BY state`)
      .all(...range) as { state: string; n: number }[];
    const durations = db
      .prepare(`SELECT duration_ms AS d FROM observations ${where}`)
      .pluck()
      .all(...range) as number[];
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    const observations = durations.length;
    const cpuMs = w.cpuUserMs + w.cpuSystemMs;
    return {
      ...w,
      observations,
      observationsPerSecond: observations / ((w.endedAt - w.startedAt) / 1000),
      cpuPerObservationUs: observations ? (cpuMs * 1000) / observations : Number.NaN,
      errors: byState.error ?? 0,
      byState,
      probeDurationP50Ms: percentile(durations, 50),
      probeDurationP99Ms: percentile(durations, 99),
    };
  } finally {
    db.close();
  }
}
