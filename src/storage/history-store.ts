/**
 * Aggregates: daily canary verdicts per site and hourly probe counts per
 * vantage. Both are single idempotent statements, safe on D1.
 */
import { and, asc, desc, eq, gte, isNotNull, sql } from 'drizzle-orm';
import type { Observation } from '../core/model.js';
import { type VerdictFields, verdictOf } from '../core/slo.js';
import {
  type DailyFreshness,
  type HistoryStore,
  type HourlyVantage,
  SCREENSHOTS_KEPT,
} from '../core/store.js';
import { DAY_MS, hourOf } from '../core/time.js';
import { once, param, paramsFor } from './prepared.js';
import { canaryFromRow, siteFromRow, vantageFromRow } from './rows.js';
import { canaries, hourlyVantage, screenshots, sites, vantageStatus } from './schema.js';
import type { StoreDb } from './store.js';

type DailyRow = Omit<DailyFreshness, 'latencyMaxMs'> & { latencyMaxMs?: number | null };

const COUNTED_STATES = ['fresh', 'propagating', 'stale', 'missing', 'error'] as const;

export function createHistoryStore(db: StoreDb): HistoryStore {
  const countProbe = countProbeQuery(db);
  const since = once(() =>
    db
      .select()
      .from(canaries)
      .where(and(eq(canaries.siteId, param('siteId')), gte(canaries.intentAt, param('since'))))
      .orderBy(asc(canaries.seq))
      .prepare(),
  );
  const verdicts = once(() =>
    db
      .select({
        seq: canaries.seq,
        intentAt: canaries.intentAt,
        deployedAt: canaries.deployedAt,
        withinSlo: canaries.withinSlo,
      })
      .from(canaries)
      .where(
        and(
          eq(canaries.siteId, param('siteId')),
          gte(canaries.intentAt, param('since')),
          isNotNull(canaries.withinSlo),
        ),
      )
      .orderBy(asc(canaries.seq))
      .prepare(),
  );
  return {
    recomputeDay: async (siteId, day) => {
      // Bucketed by intent time: a failed deploy has no deployedAt but still belongs to its day.
      await db.run(sql`
        INSERT INTO daily_freshness (site_id, day, canaries, within_slo, visible, timed_out,
                                     deploy_failed, latency_sum_ms, latency_max_ms)
        SELECT ${siteId}, ${day},
               COUNT(within_slo), COALESCE(SUM(within_slo = 1), 0),
               COALESCE(SUM(state = 'visible'), 0), COALESCE(SUM(state = 'timed_out'), 0),
               COALESCE(SUM(state = 'deploy_failed'), 0),
               COALESCE(SUM(latency_ms), 0), MAX(latency_ms)
        FROM canaries
        WHERE site_id = ${siteId} AND intent_at >= ${day} AND intent_at < ${day + DAY_MS}
        ON CONFLICT (site_id, day) DO UPDATE SET
          canaries = excluded.canaries, within_slo = excluded.within_slo, visible = excluded.visible,
          timed_out = excluded.timed_out, deploy_failed = excluded.deploy_failed,
          latency_sum_ms = excluded.latency_sum_ms, latency_max_ms = excluded.latency_max_ms`);
    },
    dailyFreshness: async (fromDay, siteId) => {
      // Raw rows, aliased to the model's names: the status page reads every site's 90 days
      // (90,000 rows for 1,000 sites) and per-column mapping made that the slowest query.
      // All sites: one (site_id, day) index range per site, not a scan of the whole table.
      const site =
        siteId === undefined
          ? sql`site_id IN (SELECT id FROM sites) AND `
          : sql`site_id = ${siteId} AND `;
      const rows = await db.all<DailyRow>(sql`
        SELECT site_id AS siteId, day, canaries, within_slo AS withinSlo, visible,
               timed_out AS timedOut, deploy_failed AS deployFailed,
               latency_sum_ms AS latencySumMs, latency_max_ms AS latencyMaxMs
        FROM daily_freshness WHERE ${site}day >= ${fromDay}
        ORDER BY site_id, day`);
      for (const r of rows) if (r.latencyMaxMs === null) delete r.latencyMaxMs;
      return rows as DailyFreshness[];
    },
    countProbe: async (o) => {
      await countProbe().run(probeCount(o));
    },
    hourlyVantage: async (siteId, fromHour, vantage) => {
      const conditions = [eq(hourlyVantage.siteId, siteId), gte(hourlyVantage.hour, fromHour)];
      if (vantage) conditions.push(eq(hourlyVantage.vantage, vantage));
      const rows = await db
        .select()
        .from(hourlyVantage)
        .where(and(...conditions))
        .orderBy(asc(hourlyVantage.hour), asc(hourlyVantage.vantage))
        .all();
      return rows.map(
        ({ lastAt: _l, ...r }: typeof hourlyVantage.$inferSelect) => r as HourlyVantage,
      );
    },
    canariesSince: async (siteId, from) =>
      (await since().all({ siteId, since: from })).map(canaryFromRow),
    // The query keeps only judged canaries, so every row has a verdict.
    verdictsSince: async (siteId, from) =>
      (await verdicts().all({ siteId, since: from })).flatMap(
        (r: VerdictFields) => verdictOf(r) ?? [],
      ),
    listSites: async () => {
      const rows = await db.select().from(sites).orderBy(asc(sites.id)).all();
      return rows.map(siteFromRow);
    },
    latestCanaries: async () => {
      // Driven by sites: MAX(seq) per site is one (site_id, seq) index probe, not a scan of every canary.
      const rows = await db
        .select({ canary: canaries })
        .from(sites)
        .innerJoin(
          canaries,
          and(
            eq(canaries.siteId, sites.id),
            eq(canaries.seq, sql`(SELECT MAX(seq) FROM canaries WHERE site_id = ${sites.id})`),
          ),
        )
        .orderBy(asc(sites.id))
        .all();
      return rows.map((r: { canary: typeof canaries.$inferSelect }) => canaryFromRow(r.canary));
    },
    allVantageStatuses: async () => {
      const rows = await db
        .select()
        .from(vantageStatus)
        .orderBy(asc(vantageStatus.siteId), asc(vantageStatus.vantage))
        .all();
      return rows.map(vantageFromRow);
    },
    ...createScreenshotStore(db),
  };
}

/**
 * One probe into its hour, prepared once. The WHERE on the update makes a
 * replayed (same or older) observation a no-op.
 */
function countProbeQuery(db: StoreDb) {
  const add = (column: string) => sql.raw(`${column} + excluded.${column}`);
  return once(() =>
    db
      .insert(hourlyVantage)
      .values(
        paramsFor([
          'siteId',
          'vantage',
          'hour',
          'total',
          ...COUNTED_STATES,
          'durationSumMs',
          'durationMaxMs',
          'lastAt',
        ]),
      )
      .onConflictDoUpdate({
        target: [hourlyVantage.siteId, hourlyVantage.vantage, hourlyVantage.hour],
        set: {
          total: sql.raw('total + 1'),
          ...Object.fromEntries(COUNTED_STATES.map((s) => [s, add(s)])),
          durationSumMs: add('duration_sum_ms'),
          durationMaxMs: sql.raw('MAX(duration_max_ms, excluded.duration_max_ms)'),
          lastAt: sql.raw('excluded.last_at'),
        },
        setWhere: sql.raw('excluded.last_at > hourly_vantage.last_at'),
      })
      .prepare(),
  );
}

function probeCount(o: Observation) {
  const duration = Math.round(o.durationMs);
  const byState = Object.fromEntries(COUNTED_STATES.map((s) => [s, o.state === s ? 1 : 0]));
  return {
    siteId: o.siteId,
    vantage: o.vantage,
    hour: hourOf(o.startedAt),
    total: 1,
    ...byState,
    durationSumMs: duration,
    durationMaxMs: duration,
    lastAt: o.startedAt,
  };
}

type ScreenshotMethods = Pick<HistoryStore, 'saveScreenshot' | 'listScreenshots' | 'getScreenshot'>;

/** Drivers hand blobs back as Buffer (better-sqlite3), ArrayBuffer or a number array (D1). */
function toBytes(value: unknown): Uint8Array {
  // A plain view of a Buffer's bytes (no copy): callers get the same type on every driver.
  if (value instanceof Uint8Array)
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return Uint8Array.from(value as number[]);
}

/** Raw SQL for the blob, so no driver-specific Buffer mapping runs (D1 has no Buffer). */
function createScreenshotStore(db: StoreDb): ScreenshotMethods {
  return {
    saveScreenshot: async (siteId, vantage, takenAt, png) => {
      await db.run(sql`
        INSERT INTO screenshots (site_id, vantage, taken_at, png)
        VALUES (${siteId}, ${vantage}, ${takenAt}, ${png}) ON CONFLICT DO NOTHING`);
      // Everything older than the site's SCREENSHOTS_KEPT-th newest; a no-op while fewer exist.
      await db.run(sql`
        DELETE FROM screenshots WHERE site_id = ${siteId} AND taken_at < (
          SELECT taken_at FROM screenshots WHERE site_id = ${siteId}
          ORDER BY taken_at DESC LIMIT 1 OFFSET ${SCREENSHOTS_KEPT - 1})`);
    },
    listScreenshots: (siteId, limit) =>
      db
        .select({
          siteId: screenshots.siteId,
          vantage: screenshots.vantage,
          takenAt: screenshots.takenAt,
          bytes: sql<number>`length(${screenshots.png})`,
        })
        .from(screenshots)
        .where(eq(screenshots.siteId, siteId))
        .orderBy(desc(screenshots.takenAt), asc(screenshots.vantage))
        .limit(limit)
        .all(),
    getScreenshot: async (siteId, takenAt, vantage) => {
      const where = [eq(screenshots.siteId, siteId), eq(screenshots.takenAt, takenAt)];
      if (vantage) where.push(eq(screenshots.vantage, vantage));
      const row = await db
        .select({ png: sql<unknown>`${screenshots.png}` })
        .from(screenshots)
        .where(and(...where))
        .orderBy(asc(screenshots.vantage))
        .limit(1)
        .get();
      return row ? toBytes(row.png) : undefined;
    },
  };
}
