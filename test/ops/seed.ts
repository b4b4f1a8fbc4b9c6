/**
 * Big databases for the operations tests and benches, fast: one INSERT ...
 * SELECT over a recursive CTE in one transaction, straight through
 * better-sqlite3, with the observation indexes dropped during the insert and
 * rebuilt once after (a sort instead of millions of B-tree inserts).
 */
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/storage/sqlite.node.js';

export interface SeedOptions {
  /** Observations to create. */
  rows: number;
  /** Spread over this many sites (`site-0`, `site-1`, ...). */
  sites: number;
  /** Start of the first observation (epoch ms); one per vantage per minute after it. */
  from: number;
}

/** Binds as INTEGER: a JS number may go in as REAL, and `i / n` would not truncate. */
function ints<T extends Record<string, number>>(values: T): Record<keyof T, bigint> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, BigInt(Math.round(v))]),
  ) as Record<keyof T, bigint>;
}

/** Creates (migrates) `file` and fills it; returns the time it took, ms. */
export function seedObservations(file: string, opts: SeedOptions): number {
  openSqliteStore(file).close();
  const db = new Database(file);
  const started = performance.now();
  try {
    // Nothing here needs to survive a crash: the file is thrown away if seeding fails.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const perSite = Math.ceil(opts.rows / opts.sites);
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observations' AND sql IS NOT NULL",
      )
      .all() as Array<{ name: string; sql: string }>;
    db.transaction(() => {
      for (const i of indexes) db.exec(`DROP INDEX ${i.name}`);
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @rows - 1)
         INSERT INTO observations (site_id, vantage, started_at, duration_ms, status, seq_seen,
                                   state, canary_seq, cache_status)
         SELECT 'site-' || (i / @perSite),
                CASE i % 3 WHEN 0 THEN 'edge' WHEN 1 THEN 'origin' ELSE 'node:10.0.0.4' END,
                @from + ((i % @perSite) / 3) * 60000 + (i % 3), 20 + (i % 50), 200,
                1 + (i % @perSite) / 900, 'fresh', 1 + (i % @perSite) / 900, 'hit'
         FROM n`,
      ).run(ints({ rows: opts.rows, perSite, from: opts.from }));
      for (const i of indexes) db.exec(i.sql);
      // Every observation's site is a known site, as `serve` guarantees (retention walks sites).
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @sites - 1)
         INSERT OR IGNORE INTO sites (id, name, url, created_at)
         SELECT 'site-' || i, 'site-' || i, 'https://site-' || i || '.example.com/', @from FROM n`,
      ).run(ints({ sites: opts.sites, from: opts.from }));
    })();
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  return performance.now() - started;
}
