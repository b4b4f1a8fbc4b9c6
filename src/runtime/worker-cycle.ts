/**
 * One pass of everything a Worker does on a timer: request the canaries whose
 * cron time has come, step the sites that are due (core `tick`), deliver due
 * notifications, run the no_data watchdog. The Node runtime spreads the same
 * work over its scheduler and background loops; a Worker has no process to
 * keep them in, so a cron trigger or a Durable Object alarm calls this.
 * Runtime-independent and clock-injected, so Node tests can drive it.
 */
import type { Config, SiteConfig } from '../config.js';
import { evaluateNoData } from '../core/alerts/site-alerts.js';
import { nextCronTime, parseCron } from '../core/cron.js';
import { deliverDue } from '../core/delivery.js';
import { requestCanary } from '../core/deploy.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { Notifier } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';
import { type StepResult, tick } from '../core/step.js';
import {
  historyWindowsMs,
  type PruneCounts,
  pruneExpired,
  retentionPolicy,
} from '../storage/retention.js';

export interface CycleContext {
  deps: CoreDeps;
  /** Full site configs: the deploy schedule lives there. */
  sites: SiteConfig[];
  runtimes: SiteRuntime[];
  notifiers: Map<string, Notifier>;
  /**
   * When each site next has work (epoch ms), from its last step. Kept in
   * memory by the caller; an empty map (a fresh isolate) steps every site.
   */
  dueAt: Map<string, number>;
}

export interface CycleResult {
  /** Earliest time any site has work again, epoch ms. */
  nextDueAt: number;
  steps: StepResult[];
  requested: string[];
}

/**
 * A site's canary is due when a cron time has passed since the newest
 * canary's intent (so a missed minute is caught up, once). A site that never
 * had a canary gets one now, as `serve` does at start.
 */
export async function requestDueCanaries(ctx: CycleContext): Promise<string[]> {
  const { deps } = ctx;
  const now = deps.clock.now();
  const requested: string[] = [];
  for (const rt of ctx.runtimes) {
    const site = ctx.sites.find((s) => s.id === rt.spec.id);
    if (!site || !rt.deployer || site.paused) continue;
    try {
      const [latest] = await deps.store.listCanaries(site.id, { limit: 1 });
      const due = !latest || nextCronTime(parseCron(site.schedule), latest.intentAt) <= now;
      if (!due) continue;
      await requestCanary(deps, site, latest ? 'schedule' : 'startup');
      ctx.dueAt.delete(site.id);
      requested.push(site.id);
    } catch (error) {
      deps.log.error({ event: 'schedule.failed', site: site.id, error: errorMessage(error) });
    }
  }
  return requested;
}

export async function runCycle(ctx: CycleContext): Promise<CycleResult> {
  const { deps } = ctx;
  const requested = await requestDueCanaries(ctx);
  const now = deps.clock.now();
  const due = ctx.runtimes.filter((rt) => (ctx.dueAt.get(rt.spec.id) ?? 0) <= now);
  const steps = await tick(deps, due);
  for (const s of steps) ctx.dueAt.set(s.siteId, s.nextDueAt);
  await deliverDue(deps, ctx.notifiers).catch((error) =>
    deps.log.error({ event: 'delivery.failed', error: errorMessage(error) }),
  );
  for (const rt of ctx.runtimes) await evaluateNoData(deps, rt);
  const times = ctx.runtimes.map((rt) => ctx.dueAt.get(rt.spec.id) ?? now);
  return { nextDueAt: Math.min(...times, now + 60_000), steps, requested };
}

/** One retention pass (storage.retain*Days, the SLO windows), batch by batch. */
export async function pruneHistory(deps: CoreDeps, config: Config): Promise<PruneCounts> {
  const siteIds = (await deps.store.listSites()).map((s) => s.id);
  const policy = retentionPolicy(
    {
      retainObservationsDays: config.storage.retainObservationsDays,
      retainHistoryDays: config.storage.retainHistoryDays,
      windowsMs: historyWindowsMs(config.sites),
      siteIds,
    },
    deps.clock.now(),
  );
  return pruneExpired(deps.store, policy);
}
