/**
 * One benchmark run of the canary loop, in its own process (forked by run.ts)
 * so CPU, RSS and JIT state belong to this run alone. Wires freshprobe the way
 * `serve` does (bootstrap + Scheduler, real SQLite file in WAL mode, pino to a
 * file), opens a canary on every site, warms up, measures, then reports one
 * RunResult over IPC and exits.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { parseConfigObject } from '../src/config.js';
import { silentLogger } from '../src/core/deps.js';
import type { Observation } from '../src/core/model.js';
import { bootstrap } from '../src/runtime/bootstrap.node.js';
import { createLogger } from '../src/runtime/logger.node.js';
import { Scheduler } from '../src/runtime/scheduler.node.js';
import { seedCanaryHistory } from './history.js';
import { countWindow, measureWindow, type ProbeRecord, type WindowFigures } from './measure.js';

export interface MonitorOptions {
  port: number;
  /** The target server's pid, to tell its CPU apart from other load on the machine. */
  serverPid: number;
  sites: number;
  warmupSeconds: number;
  seconds: number;
  serve: '404' | 'stale';
  log: 'file' | 'silent';
  /** Directory the target server serves (stale mode) and local-dir deploys into. */
  docRoot: string;
  /** Days of closed canaries (every 30 min) each site starts with. */
  historyDays: number;
  /** WAL checkpoints in a worker thread (as `serve`), or inline in commits (SQLite's own). */
  checkpoints: 'worker' | 'inline';
  /** Write a CPU profile of the measured window here. */
  profileDir?: string;
}

export type RunResult = WindowFigures & { sites: number; vantages: number };

const VANTAGES = ['edge', 'origin'];

/** Config built in code through the same schema a YAML file goes through. */
function benchConfig(opts: MonitorOptions) {
  const sites = Array.from({ length: opts.sites }, (_, i) => {
    const id = `s${String(i).padStart(4, '0')}`;
    const url = `http://127.0.0.1:${opts.port}/`;
    const deploy = { kind: 'local-dir', dir: opts.docRoot };
    return { id, url, canary: { path: `/${id}/freshprobe/canary.json` }, deploy };
  });
  // Never-firing schedule, long timeout and SLO threshold: canaries stay open all run.
  const defaults = {
    schedule: '0 0 1 1 *',
    timeout: '1h',
    slo: { threshold: '30m' },
    probe: { vantages: VANTAGES, interval: '1s', timeout: '5s' },
  };
  return parseConfigObject({ storage: { sqlite: 'bench.db' }, defaults, sites }, {}).config;
}

/** Stale mode: the first canary must be visible (and frozen by the server) before the measured one opens. */
async function waitAllVisible(count: () => number, sites: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (count() < sites) {
    if (Date.now() > deadline)
      throw new Error(`only ${count()} of ${sites} first canaries became visible`);
    await sleep(200, undefined, { signal });
  }
}

/** Every probe the loop records passes through countProbe once: note it on the way. */
function recordProbes(store: { countProbe(o: Observation): Promise<void> }): ProbeRecord[] {
  const probes: ProbeRecord[] = [];
  const countProbe = store.countProbe.bind(store);
  store.countProbe = (o) => {
    const { startedAt, durationMs, state, errorClass } = o;
    probes.push(
      errorClass ? { startedAt, durationMs, state, errorClass } : { startedAt, durationMs, state },
    );
    return countProbe(o);
  };
  return probes;
}

/** SIGTERM/SIGINT, or run.ts going away: stop waiting, clean up (the finally below), exit. */
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopping.abort());
process.once('disconnect', () => stopping.abort());
const { signal } = stopping;

async function main(opts: MonitorOptions): Promise<RunResult> {
  const work = await mkdtemp(join(tmpdir(), 'freshprobe-bench-'));
  const logFile = pino.destination(join(work, 'freshprobe.log'));
  // `serve` logs every probe (probe.done) through pino; the same cost is paid here, into a file.
  const log = opts.log === 'file' ? createLogger({ destination: logFile }) : silentLogger;
  const config = benchConfig(opts);
  await mkdir(opts.docRoot, { recursive: true });
  const storeOptions = opts.checkpoints === 'inline' ? { checkpointer: false as const } : {};
  const boot = await bootstrap(config, log, [], work, storeOptions);
  await boot.deps.store.flush?.();
  const ids = config.sites.map((s) => s.id);
  seedCanaryHistory(boot.db.sqlite, ids, opts.historyDays, Date.now());
  const probes = recordProbes(boot.deps.store);
  const scheduler = new Scheduler(boot.deps);
  try {
    for (const rt of boot.runtimes) scheduler.add(rt, undefined);
    for (const id of ids) await scheduler.requestCanary(id, 'bench');
    if (opts.serve === 'stale') {
      const visible = boot.db.sqlite.prepare(
        "SELECT count(*) AS n FROM canaries WHERE state = 'visible'",
      );
      await waitAllVisible(() => (visible.get() as { n: number }).n, ids.length);
      for (const id of ids) await scheduler.requestCanary(id, 'bench');
    }
    await sleep(opts.warmupSeconds * 1000, undefined, { signal });
    const window = await measureWindow({
      scheduler,
      ms: opts.seconds * 1000,
      serverPid: opts.serverPid,
      db: boot.db.sqlite,
      signal,
      ...(opts.profileDir ? { profileDir: opts.profileDir } : {}),
    });
    await scheduler.stop();
    const figures = countWindow(boot.db.sqlite, window, probes);
    return { ...figures, sites: ids.length, vantages: VANTAGES.length };
  } finally {
    await scheduler.stop();
    await boot.close();
    logFile.end();
    await once(logFile, 'close').catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

const opts = JSON.parse(process.argv[2] ?? '{}') as MonitorOptions;
main(opts).then(
  (result) => process.send?.({ result }, () => process.exit(0)),
  (error: unknown) => {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const message = signal.aborted ? 'interrupted' : stack;
    if (process.connected) process.send?.({ error: message });
    process.exitCode = 1;
  },
);
