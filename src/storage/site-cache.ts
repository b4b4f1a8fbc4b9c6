/**
 * A write-through cache of what every probe round reads per site: the site row, its open,
 * newest and recent canaries, its vantage states, alert rule states and the SLO verdicts
 * burn-rate alerting counts (three days of canaries at the defaults). A round used to read
 * them nine times from SQLite (and map every row again); with the cache a steady round reads
 * almost nothing and writes as before. Every write in this process goes through here and
 * updates or drops the entries it touches. Writes by other processes on the same database
 * (`freshprobe canary` next to `serve`) are caught by `changedElsewhere` (SQLite's
 * data_version), which empties the cache. Cached objects are shared: the core treats
 * canaries and statuses as values (it spreads, never assigns), and arrays are copied out
 * (verdict lists, read on every step, are frozen instead).
 */
import type { Canary, VantageStatus } from '../core/model.js';
import { verdictOf } from '../core/slo.js';
import type { CanaryVerdict, FullStore, PruneTable, SiteRecord } from '../core/store.js';

interface SiteEntry {
  record?: SiteRecord | null;
  open?: Canary[];
  /** null: known to have none. */
  newest?: Canary | null;
  anyVisible?: boolean;
  bySeq: Map<number, Canary | null>;
  /** listCanaries without paging, by limit. */
  recent: Map<number, Canary[]>;
  statuses?: VantageStatus[];
  rules?: Map<string, unknown>;
  /** SLO verdicts of canaries intended at or after `since` (burn-rate alerting, every step). */
  verdicts?: Verdicts;
}

/** Longest recent-canaries list kept (alerting asks for deployFailures + 5). */
const MAX_CACHED_LIST = 20;

const copy = (state: unknown) =>
  state && typeof state === 'object' ? { ...(state as object) } : state;

/**
 * A site's verdicts since `since`, frozen so they can be handed out without a copy on every
 * step; `oldest` is the earliest intent among them, so a sliding window only refilters when
 * one has fallen out of it.
 */
interface Verdicts {
  since: number;
  list: readonly CanaryVerdict[];
  oldest: number;
}

function verdicts(since: number, list: readonly CanaryVerdict[]): Verdicts {
  const oldest = list.reduce((min, v) => Math.min(min, v.intentAt), Number.POSITIVE_INFINITY);
  return { since, list: Object.freeze(list), oldest };
}

/** A new or changed canary in a verdict list: its verdict replaces the old one, if any. */
function withVerdictOf(held: Verdicts, c: Canary): Verdicts {
  // Most updates are probes of an open canary: no verdict before or after, nothing to copy.
  const listed = held.list.some((v) => v.seq === c.seq);
  if (c.withinSlo === undefined && !listed) return held;
  const others = listed ? held.list.filter((v) => v.seq !== c.seq) : held.list;
  const verdict = verdictOf(c);
  if (!verdict) return verdicts(held.since, others);
  const list = [...others, verdict];
  list.sort((a, b) => a.seq - b.seq);
  return verdicts(held.since, list);
}

const isAccepted = (c: Canary) => c.kind !== 'external' && c.deployedAt !== undefined;

function replaceBySeq(list: Canary[], c: Canary): Canary[] {
  return list.map((x) => (x.seq === c.seq ? c : x));
}

/** `inner` with the hot per-site reads cached; `changedElsewhere` is checked before each read. */
export function withSiteCache(inner: FullStore, changedElsewhere: () => boolean): FullStore {
  const sites = new Map<string, SiteEntry>();
  const entry = (siteId: string): SiteEntry => {
    if (changedElsewhere()) sites.clear();
    let e = sites.get(siteId);
    if (!e) {
      e = { bySeq: new Map(), recent: new Map() };
      sites.set(siteId, e);
    }
    return e;
  };
  /** A new canary has no verdict yet, so the verdicts survive it; pruning drops them too. */
  const forgetCanaries = (siteId: string, keepVerdicts: boolean) => {
    const e = sites.get(siteId);
    if (!e) return;
    sites.set(siteId, {
      bySeq: new Map(),
      recent: new Map(),
      record: e.record,
      statuses: e.statuses,
      rules: e.rules,
      ...(keepVerdicts && e.verdicts ? { verdicts: e.verdicts } : {}),
    });
  };

  const rulesOf = async (siteId: string) => {
    const e = entry(siteId);
    e.rules ??= await inner.alertStates<unknown>(siteId);
    return e.rules;
  };

  const noteCanary = (c: Canary) => {
    const e = sites.get(c.siteId);
    if (!e) return;
    e.bySeq.set(c.seq, c);
    if (e.open)
      e.open =
        c.closedAt === undefined ? replaceBySeq(e.open, c) : e.open.filter((x) => x.seq !== c.seq);
    if (e.newest !== undefined) {
      if (isAccepted(c) && (e.newest === null || c.seq >= e.newest.seq)) e.newest = c;
      else if (e.newest?.seq === c.seq) e.newest = undefined;
    }
    if (c.kind !== 'external' && c.visibleAt !== undefined) e.anyVisible = true;
    for (const [limit, list] of e.recent) e.recent.set(limit, replaceBySeq(list, c));
    if (e.verdicts && c.intentAt >= e.verdicts.since) e.verdicts = withVerdictOf(e.verdicts, c);
  };

  return {
    ...inner,
    getSite: async (siteId) => {
      const e = entry(siteId);
      if (e.record === undefined) e.record = (await inner.getSite(siteId)) ?? null;
      return e.record ?? undefined;
    },
    upsertSite: async (site, now) => {
      await inner.upsertSite(site, now);
      sites.delete(site.id);
    },
    setPaused: async (siteId, paused) => {
      await inner.setPaused(siteId, paused);
      const e = sites.get(siteId);
      if (e) e.record = undefined;
    },
    setProbeTimes: async (siteId, times) => {
      await inner.setProbeTimes(siteId, times);
      const e = sites.get(siteId);
      if (e?.record) e.record = { ...e.record, ...times };
    },
    createCanary: async (input) => {
      const created = await inner.createCanary(input);
      forgetCanaries(input.siteId, true);
      return created;
    },
    getCanary: async (siteId, seq) => {
      const e = entry(siteId);
      if (!e.bySeq.has(seq)) e.bySeq.set(seq, (await inner.getCanary(siteId, seq)) ?? null);
      return e.bySeq.get(seq) ?? undefined;
    },
    listCanaries: async (siteId, options) => {
      // Only the short lists alerting reads every round; API pages (any limit) go to the db.
      if (options.beforeSeq !== undefined || options.limit > MAX_CACHED_LIST)
        return inner.listCanaries(siteId, options);
      const e = entry(siteId);
      let list = e.recent.get(options.limit);
      if (!list) {
        list = await inner.listCanaries(siteId, options);
        e.recent.set(options.limit, list);
      }
      return [...list];
    },
    // Alerting's window slides forward, so a later call is the cached list with its oldest
    // verdicts dropped; only a call reaching further back reads the database again.
    verdictsSince: async (siteId, since) => {
      const e = entry(siteId);
      if (!e.verdicts || since < e.verdicts.since)
        e.verdicts = verdicts(since, await inner.verdictsSince(siteId, since));
      else if (e.verdicts.oldest < since)
        e.verdicts = verdicts(
          since,
          e.verdicts.list.filter((v) => v.intentAt >= since),
        );
      return e.verdicts.list;
    },
    openCanaries: async (siteId) => {
      const e = entry(siteId);
      e.open ??= await inner.openCanaries(siteId);
      return [...e.open];
    },
    latestAcceptedCanary: async (siteId) => {
      const e = entry(siteId);
      if (e.newest === undefined) e.newest = (await inner.latestAcceptedCanary(siteId)) ?? null;
      return e.newest ?? undefined;
    },
    hasVisibleCanary: async (siteId) => {
      const e = entry(siteId);
      e.anyVisible ??= await inner.hasVisibleCanary(siteId);
      return e.anyVisible;
    },
    updateCanary: async (canary) => {
      await inner.updateCanary(canary);
      noteCanary(canary);
    },
    vantageStatuses: async (siteId) => {
      const e = entry(siteId);
      e.statuses ??= await inner.vantageStatuses(siteId);
      return [...e.statuses];
    },
    upsertVantageStatus: async (status) => {
      await inner.upsertVantageStatus(status);
      const e = sites.get(status.siteId);
      if (!e?.statuses) return;
      const others = e.statuses.filter((v) => v.vantage !== status.vantage);
      e.statuses = [...others, status].sort((a, b) => (a.vantage < b.vantage ? -1 : 1));
    },
    removeVantageStatus: async (siteId, vantage) => {
      await inner.removeVantageStatus(siteId, vantage);
      const e = sites.get(siteId);
      if (e?.statuses) e.statuses = e.statuses.filter((v) => v.vantage !== vantage);
    },
    // Shallow copies (rule states are flat): the caller may change one before writing it back.
    alertStates: async <T>(siteId: string) =>
      new Map([...(await rulesOf(siteId))].map(([rule, s]) => [rule, copy(s) as T])),
    getAlertState: async <T>(siteId: string, rule: string) => {
      const state = (await rulesOf(siteId)).get(rule);
      return state === undefined ? undefined : (copy(state) as T);
    },
    putAlertState: async (siteId, rule, state, now) => {
      await inner.putAlertState(siteId, rule, state, now);
      sites.get(siteId)?.rules?.set(rule, copy(state));
    },
    pruneBatch: async (table: PruneTable, before, limit, siteId) => {
      const n = await inner.pruneBatch(table, before, limit, siteId);
      // Retention never deletes an open or newest canary, but recent lists may hold pruned ones.
      if (n > 0 && table === 'canaries')
        for (const id of [...sites.keys()]) forgetCanaries(id, false);
      return n;
    },
  };
}
