/**
 * Retention: raw observations for `storage.retainObservationsDays`; canaries
 * and hourly aggregates for the history window (`storage.retainHistoryDays`,
 * by default as long as the observations, and never shorter than what a view
 * reads them over: the SLO and burn-rate windows, the site page's chart);
 * daily rows, sent notifications and monitor gaps for the 90-day status bar.
 * Rows go in small batches, one DELETE statement each (D1 has no
 * interactive transactions), with a pause between batches so pruning a
 * million rows never holds the database (or Node's event loop, since
 * better-sqlite3 is synchronous) long enough to delay a probe.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { SiteSpec } from '../core/site.js';
import type { OpsStore, PruneTable } from '../core/store.js';
import { DAY_MS } from '../core/time.js';
import type { StoreDb } from './store.js';

export const PRUNE_BATCH = 1_000;
/** Daily rows (the status page's 90-day bar), notifications and gaps are kept this long. */
export const DAILY_HISTORY_MS = 90 * DAY_MS;
/** Canaries and hourly rows: at least the site page's latency chart (CHART_DAYS in http/site-page.ts). */
export const MIN_HISTORY_MS = 7 * DAY_MS;

/** Each table's batch: rowids of expired rows, through an index that starts with site_id. */
function expiredRows(table: PruneTable, before: number, siteId?: string): SQL {
  const site = (column: SQL) => (siteId === undefined ? sql`1 = 1` : sql`${column} = ${siteId}`);
  switch (table) {
    case 'observations':
      return sql`SELECT id FROM observations WHERE ${site(sql`site_id`)} AND started_at < ${before}`;
    case 'hourly_vantage':
      return sql`SELECT rowid FROM hourly_vantage WHERE ${site(sql`site_id`)} AND hour < ${before}`;
    case 'daily_freshness':
      return sql`SELECT rowid FROM daily_freshness WHERE ${site(sql`site_id`)} AND day < ${before}`;
    case 'canaries':
      // Closed ones only, and never the newest: the next seq is MAX(seq) + 1.
      return sql`SELECT c.rowid FROM canaries c WHERE ${site(sql`c.site_id`)}
        AND c.closed_at IS NOT NULL AND c.closed_at < ${before}
        AND c.seq < (SELECT MAX(seq) FROM canaries m WHERE m.site_id = c.site_id)`;
    case 'notifications':
      return sql`SELECT rowid FROM notifications WHERE status != 'pending' AND created_at < ${before}`;
    case 'monitor_gaps':
      return sql`SELECT rowid FROM monitor_gaps WHERE ended_at < ${before}`;
  }
}

const KEY: Record<PruneTable, SQL> = {
  observations: sql`id`,
  hourly_vantage: sql`rowid`,
  daily_freshness: sql`rowid`,
  canaries: sql`rowid`,
  notifications: sql`rowid`,
  monitor_gaps: sql`rowid`,
};

/** Rows changed, from better-sqlite3's RunResult or D1's result meta. */
function changes(result: unknown): number {
  const r = result as { changes?: number; meta?: { changes?: number } };
  return r.changes ?? r.meta?.changes ?? 0;
}

export function createRetentionStore(db: StoreDb): Pick<OpsStore, 'pruneBatch'> {
  return {
    pruneBatch: async (table, before, limit, siteId) => {
      const result = await db.run(sql`DELETE FROM ${sql.identifier(table)} WHERE ${KEY[table]} IN
        (${expiredRows(table, before, siteId)} LIMIT ${limit})`);
      return changes(result);
    },
  };
}

export interface RetentionPolicy {
  /** Observations that started before this go (epoch ms). */
  observationsBefore: number;
  /** Canaries and hourly aggregates older than this go. */
  historyBefore: number;
  /** Daily aggregates, sent notifications and monitor gaps older than this go. */
  dailyBefore: number;
  /** Every site in the database, configured or not. */
  siteIds: string[];
}

export interface RetentionSettings {
  retainObservationsDays: number;
  /** Canaries and hourly aggregates; absent = as long as the observations. */
  retainHistoryDays?: number;
  /** Every span a view reads canaries or hourly rows over (SLO and burn-rate windows), ms. */
  windowsMs: number[];
  siteIds: string[];
}

/** The spans the SLO view, the alerts and the report read canaries and hours over. */
export function historyWindowsMs(sites: Pick<SiteSpec, 'slo' | 'alerts'>[]): number[] {
  return sites.flatMap((s) => [s.slo.window, ...(s.alerts?.burnRates ?? []).map((b) => b.long)]);
}

/**
 * The cutoffs for `now`. Canaries and hours cover the configured history (by
 * default the observation days), stretched to the longest window that reads
 * them and the chart; daily rows cover the 90-day bar (and the history, if longer).
 */
export function retentionPolicy(opts: RetentionSettings, now: number): RetentionPolicy {
  const rawMs = opts.retainObservationsDays * DAY_MS;
  const wantedMs = (opts.retainHistoryDays ?? opts.retainObservationsDays) * DAY_MS;
  const historyMs = Math.max(MIN_HISTORY_MS, wantedMs, ...opts.windowsMs);
  return {
    observationsBefore: now - rawMs,
    historyBefore: now - historyMs,
    dailyBefore: now - Math.max(DAILY_HISTORY_MS, historyMs),
    siteIds: opts.siteIds,
  };
}

export interface PruneOptions {
  batch?: number;
  /** Awaited between batches: yields to probing. */
  pause?: () => Promise<void>;
  /** Checked between batches: shutdown stops a pass early (the next one resumes). */
  stopped?: () => boolean;
}

export type PruneCounts = Record<PruneTable, number>;

interface Job {
  table: PruneTable;
  before: number;
  siteId?: string;
}

function jobs(policy: RetentionPolicy): Job[] {
  const perSite = (table: PruneTable, before: number) =>
    policy.siteIds.map((siteId) => ({ table, before, siteId }));
  return [
    ...perSite('observations', policy.observationsBefore),
    ...perSite('hourly_vantage', policy.historyBefore),
    ...perSite('daily_freshness', policy.dailyBefore),
    ...perSite('canaries', policy.historyBefore),
    { table: 'notifications', before: policy.dailyBefore },
    { table: 'monitor_gaps', before: policy.dailyBefore },
  ];
}

/** One retention pass: every expired row, batch by batch. Returns rows deleted per table. */
export async function pruneExpired(
  store: Pick<OpsStore, 'pruneBatch'>,
  policy: RetentionPolicy,
  opts: PruneOptions = {},
): Promise<PruneCounts> {
  const batch = opts.batch ?? PRUNE_BATCH;
  const counts: PruneCounts = {
    observations: 0,
    hourly_vantage: 0,
    daily_freshness: 0,
    canaries: 0,
    notifications: 0,
    monitor_gaps: 0,
  };
  for (const job of jobs(policy)) {
    for (;;) {
      if (opts.stopped?.()) return counts;
      const n = await store.pruneBatch(job.table, job.before, batch, job.siteId);
      counts[job.table] += n;
      if (n < batch) break;
      await opts.pause?.();
    }
  }
  return counts;
}

/** What incremental vacuum needs from a SQLite connection (better-sqlite3's `pragma`). */
export interface PragmaRunner {
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/**
 * Returns free pages to the file system a few at a time (auto_vacuum =
 * INCREMENTAL). SQLite files only: D1 manages its own space. Returns pages
 * freed, or undefined when the file was created without incremental vacuum.
 */
export async function reclaimSpace(
  db: PragmaRunner,
  opts: { pagesPerStep?: number; pause?: () => Promise<void>; stopped?: () => boolean } = {},
): Promise<number | undefined> {
  if (db.pragma('auto_vacuum', { simple: true }) !== 2) return undefined;
  const step = opts.pagesPerStep ?? 2_000;
  let freed = 0;
  for (;;) {
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (free === 0 || opts.stopped?.()) return freed;
    db.pragma(`incremental_vacuum(${Math.min(step, free)})`);
    const now = free - (db.pragma('freelist_count', { simple: true }) as number);
    // Nothing moved (a reader pins the pages): try again on the next pass.
    if (now <= 0) return freed;
    freed += now;
    await opts.pause?.();
  }
}
