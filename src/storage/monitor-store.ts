/**
 * The monitor's own bookkeeping: the newest heartbeat (one row) and the gaps
 * in which it was not watching. Single idempotent statements, safe on D1.
 */
import { and, asc, gt, lt } from 'drizzle-orm';
import type { Heartbeat, MonitorGap, OpsStore } from '../core/store.js';
import { monitorGaps, monitorHeartbeat } from './schema.js';
import type { StoreDb } from './store.js';

const HEARTBEAT_ROW = 1;

type GapRow = typeof monitorGaps.$inferSelect;

function gapFromRow(row: GapRow): MonitorGap {
  return {
    kind: row.kind as MonitorGap['kind'],
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    ...(row.detail ? { detail: row.detail } : {}),
  };
}

export function createMonitorStore(db: StoreDb): Omit<OpsStore, 'pruneBatch'> {
  return {
    putHeartbeat: async (beat: Heartbeat) => {
      const row = { id: HEARTBEAT_ROW, ...beat };
      await db
        .insert(monitorHeartbeat)
        .values(row)
        .onConflictDoUpdate({ target: monitorHeartbeat.id, set: beat })
        .run();
    },
    getHeartbeat: async () => {
      const row = await db.select().from(monitorHeartbeat).get();
      return row ? { at: row.at, processStartedAt: row.processStartedAt, pid: row.pid } : undefined;
    },
    recordGap: async (gap: MonitorGap) => {
      // A replayed gap keeps the longer end: the same start seen twice is the same gap.
      const row = { id: `${gap.kind}:${gap.startedAt}`, detail: gap.detail ?? null, ...gap };
      await db
        .insert(monitorGaps)
        .values(row)
        .onConflictDoUpdate({ target: monitorGaps.id, set: { endedAt: gap.endedAt } })
        .run();
    },
    listGaps: async (from: number, to?: number) => {
      const overlaps = [gt(monitorGaps.endedAt, from)];
      if (to !== undefined) overlaps.push(lt(monitorGaps.startedAt, to));
      const rows = await db
        .select()
        .from(monitorGaps)
        .where(and(...overlaps))
        .orderBy(asc(monitorGaps.startedAt))
        .all();
      return rows.map(gapFromRow);
    },
  };
}
