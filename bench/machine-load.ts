/**
 * How busy the rest of the machine was during the window. The bench shares a
 * 2-core machine with whatever else runs (a test suite, a type check), which
 * starves the monitor and inflates its lag; this makes that visible instead of
 * silently blaming freshprobe. Linux only (/proc); elsewhere it reports nothing.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CpuSnapshot {
  /** Jiffies over all CPUs: total, and busy (not idle or iowait). */
  total: number;
  busy: number;
  /** utime + stime of the target server process, jiffies. */
  server: number;
}

export interface MachineLoad {
  /** Cores busy on the whole machine during the window. */
  machineCores: number;
  /** Cores used by the target server (its own process). */
  serverCores: number;
  /** Cores used by everything else: neither the monitor nor the server. */
  otherCores: number;
}

export function cpuSnapshot(serverPid?: number): CpuSnapshot | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    // /proc/<pid>/stat: the command may contain spaces, so count fields after the last ')'.
    const stat = serverPid ? readFileSync(`/proc/${serverPid}/stat`, 'utf8') : ')';
    const after = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return { total, busy: total - idle, server: (after[11] ?? 0) + (after[12] ?? 0) };
  } catch {
    return undefined;
  }
}

/** `monitorCores`: the monitor's own CPU over the window, from process.cpuUsage. */
export function machineLoad(a: CpuSnapshot, b: CpuSnapshot, monitorCores: number): MachineLoad {
  const cpus = os.cpus().length;
  const perCpu = (b.total - a.total) / cpus; // jiffies one CPU had during the window
  const machineCores = perCpu > 0 ? (b.busy - a.busy) / perCpu : 0;
  const serverCores = perCpu > 0 ? (b.server - a.server) / perCpu : 0;
  return {
    machineCores,
    serverCores,
    otherCores: Math.max(0, machineCores - serverCores - monitorCores),
  };
}

/**
 * `--wait-quiet`: before a run, waits until the rest of the machine has used under `maxCores`
 * for 10 s in a row (a test suite or type check starting up comes in bursts). Gives up after
 * `timeoutMs`; the run's own reading of other load is reported either way.
 */
export async function waitQuiet(
  maxCores: number,
  timeoutMs: number,
  signal: AbortSignal,
  say: (s: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  let saidAt = 0;
  while (Date.now() - quietSince < 10_000 && Date.now() < deadline) {
    const a = cpuSnapshot();
    await sleep(2_000, undefined, { signal });
    const b = cpuSnapshot();
    if (!a || !b) return;
    const busy = machineLoad(a, b, 0).machineCores;
    if (busy < maxCores) continue;
    quietSince = Date.now();
    if (Date.now() - saidAt > 30_000) {
      say(`waiting for a quiet machine: other processes use ${busy.toFixed(2)} cores`);
      saidAt = Date.now();
    }
  }
}
