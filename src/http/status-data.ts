/**
 * What the status page, badges and the Statuspage API read, loaded in bulk
 * (a handful of queries for any number of sites) and kept for a few seconds.
 * State is never older than STATE_MAX_AGE_MS; history and percentiles, which
 * move slowly, are kept longer.
 */

import type { Incident } from '../core/model.js';
import type { Clock } from '../core/ports.js';
import type { SiteSpec } from '../core/site.js';
import type { FullStore } from '../core/store.js';
import { DailyHistory, FULL_RELOAD_MS } from './daily-history.js';
import { Refreshing, type Stamped } from './refreshing.js';
import { type SiteStats, siteStats } from './site-stats.js';
import { type Bar, makeBar } from './status-page/days.js';
import { type ComponentStatus, componentStatus } from './statuspage-map.js';
import { buildSiteView, type SiteView } from './views.js';

export const STATE_MAX_AGE_MS = 5_000;
export const HISTORY_MAX_AGE_MS = 60_000;

export interface SiteSnapshot {
  spec: SiteSpec;
  view: SiteView;
  component: ComponentStatus;
  /** When the site was first stored (Statuspage `created_at`). */
  createdAt?: number;
  /** Deploy time of the oldest content a stale vantage serves. */
  servedFromAt?: number;
}

export interface Snapshot {
  sites: SiteSnapshot[];
  byId: Map<string, SiteSnapshot>;
}

export interface IncidentLists {
  /** Open incidents, newest first. */
  open: Incident[];
  /** The newest incidents of any state. */
  recent: Incident[];
}

export const RECENT_INCIDENTS = 50;

export interface StatusDataDeps {
  store: FullStore;
  clock: Clock;
  sites(): SiteSpec[];
}

function groupBy<T extends { siteId: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.siteId);
    if (list) list.push(r);
    else out.set(r.siteId, [r]);
  }
  return out;
}

async function servedFrom(store: FullStore, view: SiteView): Promise<number | undefined> {
  const seqs = view.vantages
    .filter((v) => v.state === 'stale' && v.seqSeen !== undefined)
    .map((v) => v.seqSeen!);
  if (!seqs.length) return undefined;
  const served = await store.getCanary(view.id, Math.min(...seqs));
  return served?.deployedAt ?? served?.intentAt;
}

type SiteRows = Parameters<typeof buildSiteView>[1];

async function siteSnapshot(
  store: FullStore,
  spec: SiteSpec,
  rows: SiteRows,
  now: number,
): Promise<SiteSnapshot> {
  const view = buildSiteView(spec, rows, now);
  const from = view.state === 'stale' ? await servedFrom(store, view) : undefined;
  return {
    spec,
    view,
    component: componentStatus(view),
    ...(rows.record ? { createdAt: rows.record.createdAt } : {}),
    ...(from !== undefined ? { servedFromAt: from } : {}),
  };
}

/** Every site in three queries, whatever their number (the index, the Statuspage API). */
/** Lets waiting requests run: a synchronous driver otherwise blocks the loop for a whole refresh. */
export const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Sites per slice of a bulk build, between yields (about 2 ms of work each). */
const SLICE = 100;

/** Every site in three queries, whatever their number (the index, the Statuspage API). */
export async function loadSnapshot(
  store: FullStore,
  specs: SiteSpec[],
  now: number,
): Promise<Snapshot> {
  const records = await store.listSites();
  await yieldToLoop();
  const statuses = await store.allVantageStatuses();
  await yieldToLoop();
  const latest = await store.latestCanaries();
  const recordById = new Map(records.map((r) => [r.id, r]));
  const statusesBySite = groupBy(statuses);
  const latestBySite = new Map(latest.map((c) => [c.siteId, c]));
  const sites: SiteSnapshot[] = [];
  for (let i = 0; i < specs.length; i += SLICE) {
    await yieldToLoop();
    const slice = specs.slice(i, i + SLICE).map((spec) =>
      siteSnapshot(
        store,
        spec,
        {
          record: recordById.get(spec.id),
          statuses: statusesBySite.get(spec.id) ?? [],
          latest: latestBySite.get(spec.id),
        },
        now,
      ),
    );
    sites.push(...(await Promise.all(slice)));
  }
  return { sites, byId: new Map(sites.map((s) => [s.spec.id, s])) };
}

/** One site in three small queries (badges, the site page): cheap enough to keep per site. */
export async function loadSite(
  store: FullStore,
  spec: SiteSpec,
  now: number,
): Promise<SiteSnapshot> {
  const [record, statuses, recent] = await Promise.all([
    store.getSite(spec.id),
    store.vantageStatuses(spec.id),
    store.listCanaries(spec.id, { limit: 1 }),
  ]);
  return siteSnapshot(store, spec, { record, statuses, latest: recent[0] }, now);
}

export class StatusData {
  private specs: SiteSpec[];
  private readonly state: Refreshing<Snapshot>;
  private readonly history: Refreshing<Map<string, Bar>>;
  private readonly incidentLists: Refreshing<IncidentLists>;
  private readonly stats = new Map<string, Refreshing<SiteStats>>();
  private readonly perSite = new Map<string, Refreshing<SiteSnapshot>>();
  private specById = new Map<string, SiteSpec>();
  private readonly historyMaxAgeMs: number;

  constructor(
    private readonly deps: StatusDataDeps,
    private readonly stateMaxAgeMs = STATE_MAX_AGE_MS,
  ) {
    this.specs = deps.sites();
    this.specById = new Map(this.specs.map((spec) => [spec.id, spec]));
    // 0 (tests) means: never reuse anything.
    this.historyMaxAgeMs = stateMaxAgeMs === 0 ? 0 : Math.max(stateMaxAgeMs, HISTORY_MAX_AGE_MS);
    const now = () => deps.clock.now();
    this.state = new Refreshing(
      (at) => loadSnapshot(deps.store, this.specs, at),
      now,
      stateMaxAgeMs,
    );
    const daily = new DailyHistory(deps.store, stateMaxAgeMs === 0 ? 0 : FULL_RELOAD_MS);
    this.history = new Refreshing(
      async (at) => {
        const bySite = await daily.load(at);
        const bars = new Map<string, Bar>();
        for (const [i, spec] of this.specs.entries()) {
          if (i % (SLICE * 2) === 0) await yieldToLoop();
          bars.set(spec.id, makeBar(bySite.get(spec.id), at));
        }
        return bars;
      },
      now,
      this.historyMaxAgeMs,
    );
    this.incidentLists = new Refreshing(
      async () => {
        const [open, recent] = await Promise.all([
          deps.store.openIncidents(),
          deps.store.listIncidents({ limit: RECENT_INCIDENTS }),
        ]);
        return { open: open.sort((a, b) => b.openedAt - a.openedAt), recent };
      },
      now,
      stateMaxAgeMs,
    );
  }

  /** A reload hands out a new sites array: everything cached about the old one goes. */
  private checkSpecs(): void {
    const specs = this.deps.sites();
    if (specs === this.specs) return;
    this.specs = specs;
    this.specById = new Map(specs.map((spec) => [spec.id, spec]));
    this.state.invalidate();
    this.history.invalidate();
    this.incidentLists.invalidate();
    this.stats.clear();
    this.perSite.clear();
  }

  spec(siteId: string): SiteSpec | undefined {
    this.checkSpecs();
    return this.specById.get(siteId);
  }

  /** One site's state, kept per site so a hot badge never waits for all sites to load. */
  site(siteId: string): Promise<Stamped<SiteSnapshot>> | undefined {
    return this.siteEntry(siteId)?.get();
  }

  /**
   * The site's state without waiting (the badge fast path): undefined when it is not loaded or
   * too old, and then site() loads it. Starts a background refresh when due, as site() does.
   */
  peekSite(siteId: string): Stamped<SiteSnapshot> | undefined {
    this.checkSpecs();
    return this.perSite.get(siteId)?.peek();
  }

  private siteEntry(siteId: string): Refreshing<SiteSnapshot> | undefined {
    this.checkSpecs();
    const spec = this.specById.get(siteId);
    if (!spec) return undefined;
    let entry = this.perSite.get(siteId);
    if (!entry) {
      const { store, clock } = this.deps;
      entry = new Refreshing(
        (at) => loadSite(store, spec, at),
        () => clock.now(),
        this.stateMaxAgeMs,
      );
      this.perSite.set(siteId, entry);
    }
    return entry;
  }

  snapshot(): Promise<Stamped<Snapshot>> {
    this.checkSpecs();
    return this.state.get();
  }

  incidents(): Promise<Stamped<IncidentLists>> {
    this.checkSpecs();
    return this.incidentLists.get();
  }

  /** Every site's 90-day bar; a site missing from the map has no history yet. */
  bars(): Promise<Stamped<Map<string, Bar>>> {
    this.checkSpecs();
    return this.history.get();
  }

  siteStats(spec: SiteSpec): Promise<Stamped<SiteStats>> {
    return this.statsEntry(spec).get();
  }

  /** The site's stats without waiting, like peekSite. */
  peekSiteStats(spec: SiteSpec): Stamped<SiteStats> | undefined {
    this.checkSpecs();
    return this.stats.get(spec.id)?.peek();
  }

  private statsEntry(spec: SiteSpec): Refreshing<SiteStats> {
    this.checkSpecs();
    let entry = this.stats.get(spec.id);
    if (!entry) {
      const { store, clock } = this.deps;
      entry = new Refreshing(
        async (at) =>
          siteStats(await store.canariesSince(spec.id, at - spec.slo.window), at, spec.slo.window),
        () => clock.now(),
        this.historyMaxAgeMs,
      );
      this.stats.set(spec.id, entry);
    }
    return entry;
  }
}
