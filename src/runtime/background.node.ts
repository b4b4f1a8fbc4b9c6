/**
 * Work that runs beside the per-site steps: delivering the notification
 * outbox, and the watchdog that notices when probing itself went silent.
 * Each loop never overlaps itself and never throws.
 */
import { evaluateNoData } from '../core/alerts/site-alerts.js';
import { deliverDue } from '../core/delivery.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { Notifier } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';

export const DELIVERY_INTERVAL_MS = 1_000;
export const WATCHDOG_INTERVAL_MS = 10_000;

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
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

export interface Background {
  /** Delivers due notifications now (after an incident opened, in tests). */
  deliverNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startBackground(
  deps: CoreDeps,
  notifiers: () => Map<string, Notifier>,
  sites: () => SiteRuntime[],
): Background {
  const deliver = () => deliverDue(deps, notifiers());
  const watchdog = async () => {
    for (const rt of sites()) await evaluateNoData(deps, rt);
  };
  const loops = [
    loop('delivery', DELIVERY_INTERVAL_MS, deliver, deps),
    loop('watchdog', WATCHDOG_INTERVAL_MS, watchdog, deps),
  ];
  return {
    deliverNow: deliver,
    stop: async () => {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
