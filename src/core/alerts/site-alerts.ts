/**
 * Alerting for one site after a step: gather state, build conditions, run the
 * state machine per cause. The no_data rule runs apart, from a watchdog,
 * because a stuck step cannot report that it is stuck.
 */
import type { CoreDeps } from '../deps.js';
import { errorMessage } from '../deps.js';
import { DEFAULT_ALERTS, primaryVantage, type SiteRuntime } from '../site.js';
import { evaluateBurn, freshnessEvents } from '../slo.js';
import { summarizeSite } from '../state.js';
import { conditions, noDataCondition } from './conditions.js';
import { evaluateCondition } from './evaluate.js';
import type { IncidentContext } from './incidents.js';

async function context(deps: CoreDeps, rt: SiteRuntime, recentLimit: number) {
  const { spec } = rt;
  const now = deps.clock.now();
  const [record, statuses, recent] = await Promise.all([
    deps.store.getSite(spec.id),
    deps.store.vantageStatuses(spec.id),
    deps.store.listCanaries(spec.id, { limit: recentLimit }),
  ]);
  const summary = summarizeSite({
    now,
    intervalMs: spec.probe.interval,
    paused: Boolean(spec.paused || record?.paused),
    vantages: statuses,
    latest: recent[0],
  });
  const ctx: IncidentContext = {
    spec,
    summary,
    latest: recent.find((c) => c.deployedAt !== undefined),
    now,
    publicUrl: deps.publicUrl,
  };
  return { ctx, recent };
}

export async function evaluateSiteAlerts(deps: CoreDeps, rt: SiteRuntime): Promise<void> {
  const alerts = rt.spec.alerts ?? DEFAULT_ALERTS;
  try {
    const { ctx, recent } = await context(deps, rt, alerts.deployFailures + 5);
    if (ctx.summary.state === 'paused') return;
    const longest = Math.max(0, ...alerts.burnRates.map((b) => b.long));
    const events = freshnessEvents(await deps.store.canariesSince(rt.spec.id, ctx.now - longest));
    const burn = evaluateBurn(
      events,
      ctx.now,
      rt.spec.slo.target,
      alerts.burnRates,
      alerts.minEvents,
    );
    const list = conditions({
      summary: ctx.summary,
      recent,
      primary: primaryVantage(rt.spec),
      deployFailures: alerts.deployFailures,
      burn,
    });
    for (const c of list) await evaluateCondition(deps, c, ctx);
  } catch (error) {
    // Alerting must never stop probing; the failure is logged and retried next step.
    deps.log.error({ event: 'alerts.failed', site: rt.spec.id, error: errorMessage(error) });
  }
}

/** The monitor-is-stale rule: every vantage silent for 2x the probe interval. */
export async function evaluateNoData(deps: CoreDeps, rt: SiteRuntime): Promise<void> {
  try {
    const { ctx } = await context(deps, rt, 1);
    if (ctx.summary.state === 'paused') return;
    await evaluateCondition(deps, noDataCondition(ctx.summary), ctx);
  } catch (error) {
    deps.log.error({ event: 'alerts.failed', site: rt.spec.id, error: errorMessage(error) });
  }
}
