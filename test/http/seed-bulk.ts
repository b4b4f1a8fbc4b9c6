/**
 * A fast CanaryWriter for large seeds (the bench: 1,000 sites x 90 days):
 * one multi-row INSERT per batch inside a transaction, straight into the
 * canaries table with the Store's own row mapping. Tests that check the
 * Store's behaviour use the default writer instead.
 */
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { canaryToRow } from '../../src/storage/rows.js';
import * as schema from '../../src/storage/schema.js';
import type { CanaryWriter } from './seed-history.js';

const BATCH = 500;

export function bulkWriter(sqlite: Database.Database): CanaryWriter {
  const db = drizzle(sqlite, { schema });
  return async (_store, canaries) => {
    const rows = canaries.map((c) => ({
      siteId: c.siteId,
      seq: c.seq,
      token: c.token,
      reason: c.reason,
      intentAt: c.intentAt,
      ...canaryToRow(c),
    }));
    sqlite.transaction(() => {
      for (let i = 0; i < rows.length; i += BATCH)
        db.insert(schema.canaries)
          .values(rows.slice(i, i + BATCH))
          .run();
    })();
  };
}
