/**
 * Alerting for one site after a step: gather state, build conditions, run the
 * state machine per cause. The no_data rule runs apart, from a watchdog,
 * because a stuck step cannot report that it is stuck.
 */
import type { CoreDeps } from '../deps.js';
import { errorMessage } from '../deps.js';
import type { VantageStatus } from '../model.js';
import { DEFAULT_ALERTS, primaryVantage, type SiteRuntime } from '../site.js';
import { evaluateBurn } from '../slo.js';
import { summarizeSite } from '../state.js';
import { conditions, noDataCondition } from './conditions.js';
import { evaluateCondition, type RuleState } from './evaluate.js';
import type { IncidentContext } from './incidents.js';

/** What the step already knows, so alerting need not read it again. */
export interface KnownSiteState {
  paused: boolean;
  /** Every vantage's status after this step's probe round; undefined when no round ran. */
  statuses?: VantageStatus[];
}

async function context(
  deps: CoreDeps,
  rt: SiteRuntime,
  recentLimit: number,
  known?: KnownSiteState,
) {
  const { spec } = rt;
  const now = deps.clock.now();
  const [paused, statuses, recent] = await Promise.all([
    known ? known.paused : deps.store.getSite(spec.id).then((r) => Boolean(r?.paused)),
    known?.statuses ?? deps.store.vantageStatuses(spec.id),
    deps.store.listCanaries(spec.id, { limit: recentLimit }),
  ]);
  const summary = summarizeSite({
    now,
    intervalMs: spec.probe.interval,
    paused: Boolean(spec.paused || paused),
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

export async function evaluateSiteAlerts(
  deps: CoreDeps,
  rt: SiteRuntime,
  known?: KnownSiteState,
): Promise<void> {
  const alerts = rt.spec.alerts ?? DEFAULT_ALERTS;
  try {
    const { ctx, recent } = await context(deps, rt, alerts.deployFailures + 5, known);
    if (ctx.summary.state === 'paused') return;
    const longest = Math.max(0, ...alerts.burnRates.map((b) => b.long));
    const events = await deps.store.verdictsSince(rt.spec.id, ctx.now - longest);
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
    const saved = await deps.store.alertStates<RuleState>(rt.spec.id);
    for (const c of list) await evaluateCondition(deps, c, ctx, saved);
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
