/**
 * Canary history for the canary-loop bench: a deployment that has run for some days holds a
 * closed canary per site every 30 minutes (the default schedule), and alerting reads the last
 * three days of them (the longest burn-rate window) on every step. A fresh database would hide
 * that cost, so the bench can start from this history instead.
 */
import type Database from 'better-sqlite3';

const HALF_HOUR = 30 * 60_000;

/**
 * Inserts `days` of closed, visible canaries (seq 1..N, every 30 min up to `now`) for every
 * site, shaped like the rows the loop writes; returns the number of rows. One INSERT per site.
 */
export function seedCanaryHistory(
  db: Database.Database,
  siteIds: readonly string[],
  days: number,
  now: number,
): number {
  const perSite = Math.floor((days * 24 * 3_600_000) / HALF_HOUR);
  if (perSite === 0) return 0;
  const insert = db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @perSite),
    t(seq, intent) AS (SELECT i, @now - (@perSite - i + 1) * @step FROM n)
    INSERT INTO canaries (site_id, seq, token, reason, intent_at, state, deploy_started_at,
                          deployed_at, deploy_detail, visible_at, latency_ms, latency_lo_ms,
                          latency_hi_ms, within_slo, closed_at, vantages, kind, phases)
    SELECT @site, seq, @site || '-history-' || seq, 'schedule', intent, 'visible', intent + 5,
           intent + 900, 'a3f9c2e', intent + 31900, 31000, 30400, 31000, 1, intent + 31900,
           '{"edge":[' || (intent + 31300) || ',' || (intent + 31900) || '],"origin":[' ||
             (intent + 10300) || ',' || (intent + 10900) || ']}',
           'canary', '[]'
    FROM t`);
  db.transaction(() => {
    for (const site of siteIds)
      insert.run({ site, perSite: BigInt(perSite), now: BigInt(now), step: BigInt(HALF_HOUR) });
  })();
  return perSite * siteIds.length;
}
