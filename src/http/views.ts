/** JSON shapes of the public contract (DESIGN.md section 6), built from store rows. */
import type { Canary, SiteState, VantageStatus } from '../core/model.js';
import { vantageLatency } from '../core/progress.js';
import type { SiteSpec } from '../core/site.js';
import { summarizeSite } from '../core/state.js';
import type { Store } from '../core/store.js';

export interface CanaryView {
  seq: number;
  state: Canary['state'];
  reason: string;
  intentAt: number;
  /** null until the host accepted the deploy. */
  deployedAt: number | null;
  visibleAt?: number;
  latencyMs?: number;
  latencyBoundsMs?: [number, number];
  withinSlo?: boolean;
  vantages: Record<
    string,
    { visibleAt?: number; latencyMs?: number; latencyBoundsMs?: [number, number] }
  >;
  deployDetail?: string;
  error?: string;
}

export function canaryView(c: Canary): CanaryView {
  const vantages: CanaryView['vantages'] = {};
  for (const [name, v] of Object.entries(c.vantages)) {
    const latency = vantageLatency(c, v);
    vantages[name] = latency ? { visibleAt: v.visibleAt, ...latency } : {};
  }
  return {
    seq: c.seq,
    state: c.state,
    reason: c.reason,
    intentAt: c.intentAt,
    deployedAt: c.deployedAt ?? null,
    ...(c.visibleAt !== undefined ? { visibleAt: c.visibleAt } : {}),
    ...(c.latencyMs !== undefined ? { latencyMs: c.latencyMs } : {}),
    ...(c.latencyBoundsMs ? { latencyBoundsMs: c.latencyBoundsMs } : {}),
    ...(c.withinSlo !== undefined ? { withinSlo: c.withinSlo } : {}),
    vantages,
    ...(c.deployDetail ? { deployDetail: c.deployDetail } : {}),
    ...(c.deployError ? { error: c.deployError } : {}),
  };
}

export interface VantageView {
  vantage: string;
  state: SiteState;
  since: number;
  lastObservedAt: number;
  seqSeen?: number;
  status?: number;
  errorClass?: string;
  error?: string;
  stalenessMs?: number;
}

function vantageView(v: VantageStatus): VantageView {
  return {
    vantage: v.vantage,
    state: v.state,
    since: v.since,
    lastObservedAt: v.lastObservedAt,
    ...(v.seqSeen !== undefined ? { seqSeen: v.seqSeen } : {}),
    ...(v.status !== undefined ? { status: v.status } : {}),
    ...(v.errorClass ? { errorClass: v.errorClass } : {}),
    ...(v.errorMessage ? { error: v.errorMessage } : {}),
    ...(v.stalenessMs !== undefined ? { stalenessMs: v.stalenessMs } : {}),
  };
}

export interface SiteView {
  id: string;
  name: string;
  url: string;
  group?: string;
  state: SiteState;
  since: number;
  stalenessMs?: number;
  /** Vantages in the site's state, e.g. the 1 of 5 nodes that is stale. */
  affected: { vantages: string[]; of: number };
  vantages: VantageView[];
  latest?: CanaryView;
  slo: { thresholdMs: number; target: number; windowMs: number };
  runbook?: string;
}

export async function siteView(store: Store, spec: SiteSpec, now: number): Promise<SiteView> {
  const [record, statuses, recent] = await Promise.all([
    store.getSite(spec.id),
    store.vantageStatuses(spec.id),
    store.listCanaries(spec.id, { limit: 1 }),
  ]);
  const latest = recent[0];
  const summary = summarizeSite({
    now,
    intervalMs: spec.probe.interval,
    paused: Boolean(spec.paused || record?.paused),
    vantages: statuses,
    latest,
  });
  return {
    id: spec.id,
    name: spec.name,
    url: spec.url,
    ...(spec.group ? { group: spec.group } : {}),
    state: summary.state,
    since: summary.since,
    ...(summary.stalenessMs !== undefined ? { stalenessMs: summary.stalenessMs } : {}),
    affected: { vantages: summary.affected, of: summary.vantages.length },
    vantages: summary.vantages.map(vantageView),
    ...(latest ? { latest: canaryView(latest) } : {}),
    slo: { thresholdMs: spec.slo.threshold, target: spec.slo.target, windowMs: spec.slo.window },
    ...(spec.runbook ? { runbook: spec.runbook } : {}),
  };
}
