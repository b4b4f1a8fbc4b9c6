/**
 * The core step function. `stepSite` advances one site by one step from state
 * in the Store: deploy pending canaries, probe when due, close canaries that
 * are visible or timed out. `tick` does it for every site; one broken site
 * never stalls the others.
 */
import { evaluateSiteAlerts } from './alerts/site-alerts.js';
import { deployCanary } from './deploy.js';
import type { CoreDeps } from './deps.js';
import { errorMessage } from './deps.js';
import type { Canary } from './model.js';
import { probeRound, settleAll } from './round.js';
import type { SiteRuntime } from './site.js';
import { nextSteadyProbe } from './time.js';

/** How early a wake-up may come and still be the one that was asked for. */
const TIMER_SLACK_MS = 2;
/** A deploy that found every slot taken is tried again this much later. */
const DEPLOY_RETRY_MS = 1_000;

export interface StepResult {
  siteId: string;
  /** When this site next has work (epoch ms). */
  nextDueAt: number;
  error?: string;
}

export async function stepSite(deps: CoreDeps, rt: SiteRuntime): Promise<StepResult> {
  const { spec } = rt;
  const record = await deps.store.getSite(spec.id);
  const now = deps.clock.now();
  if (spec.paused || record?.paused)
    return { siteId: spec.id, nextDueAt: now + spec.probe.interval };
  let open = await deps.store.openCanaries(spec.id);
  const undeployed = open.filter((c) => c.state === 'pending' || c.state === 'deploying');
  const deferred = !(await deployAll(deps, rt, undeployed));
  if (undeployed.length) open = await deps.store.openCanaries(spec.id);
  open = open.filter((c) => c.state === 'propagating');
  // Timers may fire a millisecond before the instant they were set for: that is due too.
  const dueBy = deps.clock.now() + TIMER_SLACK_MS;
  const probeDue =
    (record?.nextProbeAt ?? 0) <= dueBy || open.some((c) => (c.nextProbeAt ?? 0) <= dueBy);
  // A probe round hands its fresh vantage states to alerting, which then need not re-read them.
  const round = probeDue
    ? await probeRound(deps, rt, open)
    : { open: await settleAll(deps, rt, open), statuses: undefined };
  open = round.open;
  await evaluateSiteAlerts(deps, rt, { paused: false, statuses: round.statuses });
  const steadyAt = probeDue
    ? nextSteadyProbe(spec.id, now, spec.probe.interval)
    : (record?.nextProbeAt ?? now);
  const due = nextDue(steadyAt, open);
  return { siteId: spec.id, nextDueAt: deferred ? Math.min(due, now + DEPLOY_RETRY_MS) : due };
}

/**
 * Deploys the site's pending canaries, each in a slot of deps.deploySlots (a local
 * deployer needs none); false when one
 * found no free slot (it stays pending; the site is woken when a slot frees, and the step
 * comes back in DEPLOY_RETRY_MS at the latest).
 */
async function deployAll(deps: CoreDeps, rt: SiteRuntime, canaries: Canary[]): Promise<boolean> {
  const slots = rt.deployer?.local ? undefined : deps.deploySlots;
  for (const canary of canaries) {
    if (slots && !slots.tryTake(rt.spec.id)) {
      deps.log.debug?.({ event: 'deploy.deferred', site: rt.spec.id, seq: canary.seq });
      return false;
    }
    try {
      await deployCanary(deps, rt, canary);
    } finally {
      slots?.give();
    }
  }
  return true;
}

function nextDue(steadyAt: number, open: Canary[]): number {
  let due = steadyAt;
  for (const c of open)
    if (c.state === 'propagating' && c.nextProbeAt !== undefined)
      due = Math.min(due, c.nextProbeAt);
  return due;
}

/** Steps every site concurrently (Workers' scheduled handler, tests). Errors become data. */
export async function tick(deps: CoreDeps, sites: SiteRuntime[]): Promise<StepResult[]> {
  return Promise.all(
    sites.map(async (rt) => {
      try {
        return await stepSite(deps, rt);
      } catch (error) {
        deps.log.error({ event: 'step.failed', site: rt.spec.id, error: errorMessage(error) });
        return {
          siteId: rt.spec.id,
          nextDueAt: deps.clock.now() + 5_000,
          error: errorMessage(error),
        };
      }
    }),
  );
}
