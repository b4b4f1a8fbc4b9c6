/** JSON shapes of the public contract (DESIGN.md section 6), built from store rows. */
import type { Canary, SiteState, VantageStatus } from '../core/model.js';
import { vantageLatency } from '../core/progress.js';
import type { SiteSpec } from '../core/site.js';
import { summarizeSite } from '../core/state.js';
import type { SiteRecord, Store } from '../core/store.js';

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
  /** `external` for deploys registered through the API; their `marker` is what was looked for. */
  kind: 'canary' | 'external';
  marker?: string;
  phases: Array<{ name: string; at: number; detail?: string }>;
}

/** Deploy phases: the ones stored, plus when each vantage first saw it. */
function phasesOf(c: Canary): CanaryView['phases'] {
  const stored = c.phases?.length
    ? c.phases
    : c.deployedAt !== undefined
      ? [{ name: 'accepted', at: c.deployedAt }]
      : [];
  const seen = Object.values(c.vantages)
    .filter((v) => v.visibleAt !== undefined)
    .map((v) => ({ name: `visible:${v.vantage}`, at: v.visibleAt! }));
  return [...stored, ...seen].sort((a, b) => a.at - b.at);
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
    kind: c.kind ?? 'canary',
    ...(c.marker ? { marker: c.marker } : {}),
    phases: phasesOf(c),
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
  return buildSiteView(spec, { record, statuses, latest: recent[0] }, now);
}

/** The same view from rows already loaded (the status page loads every site in bulk). */
export function buildSiteView(
  spec: SiteSpec,
  rows: { record?: SiteRecord; statuses: VantageStatus[]; latest?: Canary },
  now: number,
): SiteView {
  const { record, statuses, latest } = rows;
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
