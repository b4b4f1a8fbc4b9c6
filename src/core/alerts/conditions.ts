/**
 * Alert conditions: for one site at one instant, which causes hold and which
 * vantages they affect. Pure; the state machine in evaluate.ts debounces them.
 */
import type { Canary, IncidentCause, VantageStatus } from '../model.js';
import type { BurnVerdict } from '../slo.js';
import type { SiteStateSummary } from '../state.js';

export interface Condition {
  cause: IncidentCause;
  holds: boolean;
  vantages: string[];
  /** Open at the first bad evaluation instead of waiting for failureThreshold. */
  immediate: boolean;
  /** A short detail for titles: the canary seq, git's reason, the burn rates. */
  detail?: string;
}

export interface ConditionInput {
  summary: SiteStateSummary;
  /** Newest first; enough to count consecutive deploy failures. */
  recent: Canary[];
  primary: string;
  deployFailures: number;
  burn: BurnVerdict[];
}

const named = (vs: VantageStatus[], state: string) =>
  vs.filter((v) => v.state === state).map((v) => v.vantage);

/**
 * The newest accepted canary, past the threshold and still unseen at the
 * primary vantage. A canary that timed out but is served now (the primary
 * reads fresh at its seq or newer) no longer counts as unseen.
 */
function unseenCanary(
  recent: Canary[],
  summary: SiteStateSummary,
  primary: string,
): Canary | undefined {
  const accepted = recent.find((c) => c.deployedAt !== undefined);
  if (!accepted || accepted.visibleAt !== undefined || accepted.withinSlo !== false)
    return undefined;
  const served = summary.vantages.find((v) => v.vantage === primary);
  const caughtUp =
    accepted.kind !== 'external' &&
    served?.state === 'fresh' &&
    (served.seqSeen ?? 0) >= accepted.seq;
  return caughtUp ? undefined : accepted;
}

function consecutiveFailures(recent: Canary[]): Canary[] {
  const failed: Canary[] = [];
  for (const c of recent) {
    if (c.state === 'pending' || c.state === 'deploying') continue;
    if (c.state !== 'deploy_failed') break;
    failed.push(c);
  }
  return failed;
}

export function conditions(input: ConditionInput): Condition[] {
  const { summary, recent, primary } = input;
  const stale = named(summary.vantages, 'stale');
  const unseen = unseenCanary(recent, summary, primary);
  const failures = consecutiveFailures(recent);
  const burning = input.burn.filter((b) => b.firing);
  return [
    {
      cause: 'stale',
      holds: stale.length > 0 || unseen !== undefined,
      vantages: stale.length ? stale : [primary],
      // A canary past its threshold is already the debounce: page now.
      immediate: unseen !== undefined,
      detail: unseen ? `canary #${unseen.seq}` : undefined,
    },
    {
      cause: 'missing',
      holds: named(summary.vantages, 'missing').length > 0,
      vantages: named(summary.vantages, 'missing'),
      immediate: false,
    },
    {
      cause: 'error',
      holds: named(summary.vantages, 'error').length > 0,
      vantages: named(summary.vantages, 'error'),
      immediate: false,
    },
    {
      cause: 'deploy_failing',
      holds: failures.length >= input.deployFailures,
      vantages: [],
      immediate: true,
      detail: failures[0]?.deployError,
    },
    {
      cause: 'slo_burn',
      holds: burning.length > 0,
      vantages: [primary],
      immediate: true,
      detail: burning
        .map((b) => `${(b.longBurn ?? 0).toFixed(1)}x over ${b.long / 3_600_000}h`)
        .join(', '),
    },
  ];
}

/** The monitor-itself-stale condition, evaluated by a watchdog outside the probe step. */
export function noDataCondition(summary: SiteStateSummary): Condition {
  const silent = named(summary.vantages, 'no_data');
  const all = summary.vantages.length > 0 && silent.length === summary.vantages.length;
  return { cause: 'no_data', holds: all, vantages: silent, immediate: true };
}
