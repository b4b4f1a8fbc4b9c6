/**
 * Aggregates: daily canary verdicts per site and hourly probe counts per
 * vantage. Both are single idempotent statements, safe on D1.
 */
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { Observation } from '../core/model.js';
import type { DailyFreshness, HistoryStore, HourlyVantage } from '../core/store.js';
import { DAY_MS, hourOf } from '../core/time.js';
import { canaryFromRow, compact } from './rows.js';
import { canaries, dailyFreshness, hourlyVantage } from './schema.js';
import type { StoreDb } from './store.js';

const COUNTED_STATES = ['fresh', 'propagating', 'stale', 'missing', 'error'] as const;

export function createHistoryStore(db: StoreDb): HistoryStore {
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
      const where = siteId
        ? and(eq(dailyFreshness.siteId, siteId), gte(dailyFreshness.day, fromDay))
        : gte(dailyFreshness.day, fromDay);
      const rows = await db
        .select()
        .from(dailyFreshness)
        .where(where)
        .orderBy(asc(dailyFreshness.siteId), asc(dailyFreshness.day))
        .all();
      return rows.map(
        (r: typeof dailyFreshness.$inferSelect) =>
          compact({ ...r, latencyMaxMs: r.latencyMaxMs ?? undefined }) as DailyFreshness,
      );
    },
    countProbe: (o) => countProbe(db, o),
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
    canariesSince: async (siteId, since) => {
      const rows = await db
        .select()
        .from(canaries)
        .where(and(eq(canaries.siteId, siteId), gte(canaries.intentAt, since)))
        .orderBy(asc(canaries.seq))
        .all();
      return rows.map(canaryFromRow);
    },
  };
}

/** The WHERE on the update makes a replayed (same or older) observation a no-op. */
async function countProbe(db: StoreDb, o: Observation): Promise<void> {
  const hour = hourOf(o.startedAt);
  const n = (state: string) => (o.state === state ? 1 : 0);
  const [fresh, propagating, stale, missing, error] = COUNTED_STATES.map(n);
  const duration = Math.round(o.durationMs);
  await db.run(sql`
    INSERT INTO hourly_vantage (site_id, vantage, hour, total, fresh, propagating, stale, missing,
                                error, duration_sum_ms, duration_max_ms, last_at)
    VALUES (${o.siteId}, ${o.vantage}, ${hour}, 1, ${fresh}, ${propagating}, ${stale}, ${missing},
            ${error}, ${duration}, ${duration}, ${o.startedAt})
    ON CONFLICT (site_id, vantage, hour) DO UPDATE SET
      total = total + 1, fresh = fresh + excluded.fresh,
      propagating = propagating + excluded.propagating, stale = stale + excluded.stale,
      missing = missing + excluded.missing, error = error + excluded.error,
      duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
      duration_max_ms = MAX(duration_max_ms, excluded.duration_max_ms),
      last_at = excluded.last_at
    WHERE excluded.last_at > hourly_vantage.last_at`);
}
