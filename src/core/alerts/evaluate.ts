/**
 * The alert state machine, one rule per incident cause and site: a cause must
 * hold for `failureThreshold` evaluations to open an incident (or once, when
 * it is already debounced), and clear for `recoveryThreshold` to resolve it.
 * Each transition is stored before its notifications are queued.
 */
import type { CoreDeps } from '../deps.js';
import type { Incident } from '../model.js';
import { DEFAULT_ALERTS } from '../site.js';
import type { Condition } from './conditions.js';
import {
  alertMessage,
  type IncidentContext,
  openIncident,
  outboxEntries,
  refreshIncident,
  resolveIncident,
} from './incidents.js';

export interface RuleState {
  /** Consecutive evaluations where the cause held / did not. */
  bad: number;
  good: number;
  /** When the cause first stopped holding in the current good streak. */
  goodSince?: number;
  incidentId?: string;
  lastNotifiedAt?: number;
  /** Messages sent for the open incident (firing + repeats). */
  notices: number;
}

const FRESH_STATE: RuleState = { bad: 0, good: 0, notices: 0 };

/**
 * Streaks only matter up to their thresholds, so they stop counting there:
 * a site that stays healthy (or stays broken) leaves its rule state unchanged
 * and costs no write per round.
 */
function advance(
  state: RuleState,
  c: Condition,
  now: number,
  limits: { bad: number; good: number },
): RuleState {
  if (c.holds)
    return { ...state, bad: Math.min(state.bad + 1, limits.bad), good: 0, goodSince: undefined };
  return {
    ...state,
    bad: 0,
    good: Math.min(state.good + 1, limits.good),
    goodSince: state.goodSince ?? now,
  };
}

async function notify(
  deps: CoreDeps,
  incident: Incident,
  kind: 'firing' | 'repeat' | 'resolved',
  n: number,
  ctx: IncidentContext,
) {
  const ids = ctx.spec.notify ?? [];
  for (const entry of outboxEntries(alertMessage(incident, kind, ctx), ids, n, ctx.now)) {
    await deps.store.enqueueNotification(entry);
  }
  if (ids.length)
    deps.log.info({
      event: `alert.${kind}`,
      site: incident.siteId,
      incident: incident.id,
      notifiers: ids,
    });
}

/** Evaluates one condition and applies the transition it implies. */
export async function evaluateCondition(
  deps: CoreDeps,
  c: Condition,
  ctx: IncidentContext,
  /** The site's rule states read beforehand (alertStates); read here when absent. */
  saved?: Map<string, RuleState>,
): Promise<void> {
  const { spec, now } = ctx;
  const alerts = spec.alerts ?? DEFAULT_ALERTS;
  const stored = saved
    ? saved.get(c.cause)
    : await deps.store.getAlertState<RuleState>(spec.id, c.cause);
  const before = stored ?? FRESH_STATE;
  let state = advance(before, c, now, {
    bad: alerts.failureThreshold,
    good: alerts.recoveryThreshold,
  });
  const open = state.incidentId ? await deps.store.getIncident(state.incidentId) : undefined;
  if (!open && c.holds && (c.immediate || state.bad >= alerts.failureThreshold)) {
    const incident = openIncident(c, ctx);
    await deps.store.putIncident(incident);
    state = { ...state, incidentId: incident.id, lastNotifiedAt: now, notices: 1 };
    await deps.store.putAlertState(spec.id, c.cause, state, now);
    deps.log.warn({
      event: 'incident.opened',
      site: spec.id,
      incident: incident.id,
      title: incident.title,
    });
    await notify(deps, incident, 'firing', 0, ctx);
    return;
  }
  if (open && !c.holds && state.good >= alerts.recoveryThreshold) {
    const resolved = resolveIncident(open, state.goodSince ?? now, now);
    await deps.store.putIncident(resolved);
    state = { ...FRESH_STATE, good: state.good, goodSince: state.goodSince };
    await deps.store.putAlertState(spec.id, c.cause, state, now);
    deps.log.info({ event: 'incident.resolved', site: spec.id, incident: open.id });
    await notify(deps, resolved, 'resolved', 0, ctx);
    return;
  }
  if (open && c.holds) state = await keepOpen(deps, open, c, state, ctx, alerts.repeatEvery);
  if (JSON.stringify(state) !== JSON.stringify(before))
    await deps.store.putAlertState(spec.id, c.cause, state, now);
}

async function keepOpen(
  deps: CoreDeps,
  open: Incident,
  c: Condition,
  state: RuleState,
  ctx: IncidentContext,
  repeatEvery: number,
): Promise<RuleState> {
  const refreshed = refreshIncident(open, c, ctx);
  if (refreshed !== open) await deps.store.putIncident(refreshed);
  const due = repeatEvery > 0 && ctx.now - (state.lastNotifiedAt ?? open.openedAt) >= repeatEvery;
  if (!due) return state;
  await notify(deps, refreshed, 'repeat', state.notices, ctx);
  return { ...state, lastNotifiedAt: ctx.now, notices: state.notices + 1 };
}
