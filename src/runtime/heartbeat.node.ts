/**
 * The monitor watching itself. A heartbeat every few seconds is written to
 * the store; a beat that comes much later than its period means the process
 * was stopped (SIGSTOP, a VM pause, a machine suspend) or the wall clock
 * jumped, and the stretch is recorded as a no-data gap, never as uptime. At
 * start, the time since the previous process's last beat is a `down` gap.
 */
import type { Logger } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { MonitorGap, OpsStore } from '../core/store.js';

export const HEARTBEAT_MS = 5_000;
/** A beat this many periods late is a gap; shorter hiccups (GC, a slow disk) are not. */
const GAP_FACTOR = 3;

export interface HeartbeatOptions {
  store: Pick<OpsStore, 'putHeartbeat' | 'getHeartbeat' | 'recordGap'>;
  log: Logger;
  periodMs?: number;
  /** Wall clock, epoch ms (what data is stamped with). */
  wallNow?: () => number;
  /** Monotonic clock, ms: immune to clock changes; on Linux it stands still in suspend. */
  monoNow?: () => number;
  onGap?: (gap: MonitorGap) => void;
}

export interface HeartbeatMonitor {
  /** Last beat (epoch ms). */
  lastBeatAt(): number;
  /** Runs one beat now (tests drive it with fake clocks). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

/** The gap between two beats, if there is one worth recording. */
export function classifyBeat(
  prev: { wall: number; mono: number },
  next: { wall: number; mono: number },
  periodMs: number,
): MonitorGap | undefined {
  const wall = next.wall - prev.wall;
  const mono = next.mono - prev.mono;
  const limit = GAP_FACTOR * periodMs;
  const from = Math.min(prev.wall, next.wall);
  const to = Math.max(prev.wall, next.wall);
  if (Math.abs(wall - mono) > limit) {
    // Suspend also lands here: the wall clock moved on while the monotonic clock stood still.
    const detail = `wall clock moved ${Math.round(wall / 1000)} s in ${Math.round(mono / 1000)} s`;
    return { kind: 'clock_jump', startedAt: from, endedAt: to, detail };
  }
  if (mono > limit) {
    const detail = `no heartbeat for ${Math.round(mono / 1000)} s (expected every ${periodMs / 1000} s)`;
    return { kind: 'pause', startedAt: from, endedAt: to, detail };
  }
  return undefined;
}

export async function startHeartbeat(opts: HeartbeatOptions): Promise<HeartbeatMonitor> {
  const periodMs = opts.periodMs ?? HEARTBEAT_MS;
  const wallNow = opts.wallNow ?? Date.now;
  const monoNow = opts.monoNow ?? (() => performance.now());
  const startedAt = wallNow();
  const record = async (gap: MonitorGap) => {
    await opts.store.recordGap(gap);
    opts.log.warn({ event: 'monitor.gap', ...gap });
    opts.onGap?.(gap);
  };
  const previous = await opts.store.getHeartbeat();
  if (previous && startedAt - previous.at > GAP_FACTOR * periodMs) {
    const detail = `no monitor process from pid ${previous.pid}'s last beat until this start`;
    await record({ kind: 'down', startedAt: previous.at, endedAt: startedAt, detail });
  }
  let last = { wall: startedAt, mono: monoNow() };
  const beat = async () => {
    const next = { wall: wallNow(), mono: monoNow() };
    const gap = classifyBeat(last, next, periodMs);
    last = next;
    if (gap) await record(gap);
    await opts.store.putHeartbeat({ at: next.wall, processStartedAt: startedAt, pid: process.pid });
  };
  await beat();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= beat()
      .catch((error) => opts.log.error({ event: 'heartbeat.failed', error: errorMessage(error) }))
      .finally(() => {
        running = undefined;
      });
  }, periodMs);
  return {
    lastBeatAt: () => last.wall,
    beat,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
