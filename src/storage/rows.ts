/** Mapping between table rows and domain objects: nulls become absent fields. */
import type {
  Canary,
  CanaryState,
  CanaryVantage,
  DeployPhase,
  ErrorClass,
  Observation,
  SiteState,
  VantageStatus,
} from '../core/model.js';
import type { SiteRecord } from '../core/store.js';
import type { canaries, observations, sites, vantageStatus } from './schema.js';

type CanaryRow = typeof canaries.$inferSelect;
type ObservationRow = typeof observations.$inferSelect;
type VantageRow = typeof vantageStatus.$inferSelect;
type SiteRow = typeof sites.$inferSelect;

/** Drops null and undefined values so optional fields stay absent in JSON. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out as T;
}

export function siteFromRow(row: SiteRow): SiteRecord {
  return compact({
    id: row.id,
    name: row.name,
    url: row.url,
    group: row.groupName ?? undefined,
    paused: row.paused,
    createdAt: row.createdAt,
    nextProbeAt: row.nextProbeAt ?? undefined,
    lastProbeAt: row.lastProbeAt ?? undefined,
  });
}

/**
 * A canary's vantages as stored: `{"edge":[lastMissAt,visibleAt]}`, null for
 * an absent time. The name is the key, so it is not repeated; rows are kept
 * for the history window and this column is most of a fleet site's row.
 * Rows written as `{"edge":{"vantage":"edge","lastMissAt":..}}` still read.
 */
type StoredVantage = [lastMissAt: number | null, visibleAt: number | null] | CanaryVantage;

export function vantagesToJson(vantages: Record<string, CanaryVantage>): string {
  const out: Record<string, StoredVantage> = {};
  for (const [name, v] of Object.entries(vantages))
    out[name] = [v.lastMissAt ?? null, v.visibleAt ?? null];
  return JSON.stringify(out);
}

export function vantagesFromJson(json: string): Record<string, CanaryVantage> {
  const out: Record<string, CanaryVantage> = {};
  for (const [name, v] of Object.entries(JSON.parse(json) as Record<string, StoredVantage>)) {
    if (!Array.isArray(v)) out[name] = { ...v, vantage: name };
    else out[name] = compact({ vantage: name, lastMissAt: v[0], visibleAt: v[1] }) as CanaryVantage;
  }
  return out;
}

/**
 * Deploy phases as stored: the leading `accepted` phase repeats deployedAt and
 * deployDetail (a commit SHA), so it is left out and rebuilt from them on read.
 */
function isAcceptedPhase(p: DeployPhase | undefined, at?: number, detail?: string): boolean {
  return p?.name === 'accepted' && p.at === at && p.detail === detail;
}

export function phasesToJson(phases: DeployPhase[], deployedAt?: number, detail?: string): string {
  const [first, ...rest] = phases;
  return JSON.stringify(isAcceptedPhase(first, deployedAt, detail) ? rest : phases);
}

export function phasesFromJson(
  json: string,
  deployedAt: number | null,
  detail: string | null,
): DeployPhase[] {
  const stored = JSON.parse(json) as DeployPhase[];
  if (deployedAt === null || stored.some((p) => p.name === 'accepted')) return stored;
  const accepted = compact({ name: 'accepted', at: deployedAt, detail: detail ?? undefined });
  return [accepted, ...stored];
}

export function canaryFromRow(row: CanaryRow): Canary {
  const bounds: [number, number] | undefined =
    row.latencyLoMs !== null && row.latencyHiMs !== null
      ? [row.latencyLoMs, row.latencyHiMs]
      : undefined;
  return compact({
    siteId: row.siteId,
    seq: row.seq,
    token: row.token,
    reason: row.reason,
    intentAt: row.intentAt,
    state: row.state as CanaryState,
    deployStartedAt: row.deployStartedAt ?? undefined,
    deployedAt: row.deployedAt ?? undefined,
    deployDetail: row.deployDetail ?? undefined,
    deployError: row.deployError ?? undefined,
    visibleAt: row.visibleAt ?? undefined,
    latencyMs: row.latencyMs ?? undefined,
    latencyBoundsMs: bounds,
    withinSlo: row.withinSlo ?? undefined,
    nextProbeAt: row.nextProbeAt ?? undefined,
    closedAt: row.closedAt ?? undefined,
    vantages: vantagesFromJson(row.vantages),
    kind: row.kind === 'external' ? 'external' : 'canary',
    marker: row.marker ?? undefined,
    phases: phasesFromJson(row.phases, row.deployedAt, row.deployDetail),
    deployOutput: row.deployOutput ?? undefined,
  });
}

export function canaryToRow(
  c: Canary,
): Omit<CanaryRow, 'siteId' | 'seq' | 'token' | 'reason' | 'intentAt'> {
  return {
    state: c.state,
    deployStartedAt: c.deployStartedAt ?? null,
    deployedAt: c.deployedAt ?? null,
    deployDetail: c.deployDetail ?? null,
    deployError: c.deployError ?? null,
    visibleAt: c.visibleAt ?? null,
    latencyMs: c.latencyMs ?? null,
    latencyLoMs: c.latencyBoundsMs?.[0] ?? null,
    latencyHiMs: c.latencyBoundsMs?.[1] ?? null,
    withinSlo: c.withinSlo ?? null,
    nextProbeAt: c.nextProbeAt ?? null,
    closedAt: c.closedAt ?? null,
    vantages: vantagesToJson(c.vantages),
    kind: c.kind ?? 'canary',
    marker: c.marker ?? null,
    phases: phasesToJson(c.phases ?? [], c.deployedAt, c.deployDetail),
    deployOutput: c.deployOutput ?? null,
  };
}

export function observationToRow(o: Observation): Omit<ObservationRow, 'id'> {
  return {
    siteId: o.siteId,
    vantage: o.vantage,
    startedAt: o.startedAt,
    durationMs: Math.round(o.durationMs),
    status: o.status ?? null,
    seqSeen: o.seqSeen ?? null,
    state: o.state,
    errorClass: o.errorClass ?? null,
    errorMessage: o.errorMessage ?? null,
    canarySeq: o.canarySeq ?? null,
    stalenessMs: o.stalenessMs ?? null,
    age: o.cache.age ?? null,
    cacheControl: o.cache.cacheControl ?? null,
    etag: o.cache.etag ?? null,
    lastModified: o.cache.lastModified ?? null,
    cacheStatus: o.cache.cacheStatus ?? null,
    pop: o.cache.pop ?? null,
  };
}

export function observationFromRow(r: ObservationRow): Observation {
  return compact({
    siteId: r.siteId,
    vantage: r.vantage,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: r.status ?? undefined,
    seqSeen: r.seqSeen ?? undefined,
    state: r.state as SiteState,
    errorClass: (r.errorClass ?? undefined) as ErrorClass | undefined,
    errorMessage: r.errorMessage ?? undefined,
    canarySeq: r.canarySeq ?? undefined,
    stalenessMs: r.stalenessMs ?? undefined,
    cache: compact({
      age: r.age ?? undefined,
      cacheControl: r.cacheControl ?? undefined,
      etag: r.etag ?? undefined,
      lastModified: r.lastModified ?? undefined,
      cacheStatus: (r.cacheStatus ?? undefined) as Observation['cache']['cacheStatus'],
      pop: r.pop ?? undefined,
    }),
  });
}

export function vantageToRow(v: VantageStatus): VantageRow {
  return {
    siteId: v.siteId,
    vantage: v.vantage,
    state: v.state,
    since: v.since,
    lastObservedAt: v.lastObservedAt,
    seqSeen: v.seqSeen ?? null,
    status: v.status ?? null,
    errorClass: v.errorClass ?? null,
    errorMessage: v.errorMessage ?? null,
    stalenessMs: v.stalenessMs ?? null,
  };
}

export function vantageFromRow(r: VantageRow): VantageStatus {
  return compact({
    siteId: r.siteId,
    vantage: r.vantage,
    state: r.state as SiteState,
    since: r.since,
    lastObservedAt: r.lastObservedAt,
    seqSeen: r.seqSeen ?? undefined,
    status: r.status ?? undefined,
    errorClass: (r.errorClass ?? undefined) as ErrorClass | undefined,
    errorMessage: r.errorMessage ?? undefined,
    stalenessMs: r.stalenessMs ?? undefined,
  });
}
