/**
 * Work that runs beside the per-site steps: delivering the notification
 * outbox, the watchdog that notices when probing itself went silent, and
 * retention. Each loop never overlaps itself and never throws.
 */
import { evaluateNoData } from '../core/alerts/site-alerts.js';
import { deliverDue } from '../core/delivery.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { Notifier } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';

export const DELIVERY_INTERVAL_MS = 1_000;
export const WATCHDOG_INTERVAL_MS = 10_000;
/** Retention passes are spread out; each one also pauses between its batches. */
export const RETENTION_INTERVAL_MS = 15 * 60_000;

function loop(name: string, everyMs: number, work: () => Promise<unknown>, deps: CoreDeps) {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .catch((error) => deps.log.error({ event: `${name}.failed`, error: errorMessage(error) }))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  return {
    /** Resolves when the pass in progress (if any) is done. */
    idle: async () => {
      await running;
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

export interface Background {
  /** Delivers due notifications now (after an incident opened, in tests). */
  deliverNow(): Promise<number>;
  /** Resolves when no loop is mid-pass (a reload closes old notifiers after this). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface BackgroundExtras {
  /** One retention pass; `stopped` turns true at shutdown so a long pass ends early. */
  retention?: (stopped: () => boolean) => Promise<unknown>;
  retentionEveryMs?: number;
}

export function startBackground(
  deps: CoreDeps,
  notifiers: () => Map<string, Notifier>,
  sites: () => SiteRuntime[],
  extras: BackgroundExtras = {},
): Background {
  let stopped = false;
  const deliver = () => deliverDue(deps, notifiers());
  const watchdog = async () => {
    for (const rt of sites()) await evaluateNoData(deps, rt);
  };
  const loops = [
    loop('delivery', DELIVERY_INTERVAL_MS, deliver, deps),
    loop('watchdog', WATCHDOG_INTERVAL_MS, watchdog, deps),
  ];
  const { retention } = extras;
  if (retention) {
    const every = extras.retentionEveryMs ?? RETENTION_INTERVAL_MS;
    loops.push(loop('retention', every, () => retention(() => stopped), deps));
  }
  return {
    deliverNow: deliver,
    idle: async () => {
      await Promise.all(loops.map((l) => l.idle()));
    },
    stop: async () => {
      stopped = true;
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
