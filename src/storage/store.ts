/**
 * The Store, written once against drizzle's SQLite query builder. It runs on
 * better-sqlite3 (sync driver, awaited) and on D1 (async) alike.
 */
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Canary, Observation, VantageStatus } from '../core/model.js';
import type { FullStore, NewCanary, ObservationQuery, SiteRecord, Store } from '../core/store.js';
import { createHistoryStore } from './history-store.js';
import { createIncidentStore } from './incident-store.js';
import { createMonitorStore } from './monitor-store.js';
import { createRetentionStore } from './retention.js';
import {
  canaryFromRow,
  canaryToRow,
  observationFromRow,
  observationToRow,
  siteFromRow,
  vantageFromRow,
  vantageToRow,
} from './rows.js';
import * as schema from './schema.js';

const { sites, canaries, observations, vantageStatus } = schema;

// biome-ignore lint/suspicious/noExplicitAny: either driver mode ('sync' or 'async') is fine here.
export type StoreDb = BaseSQLiteDatabase<any, any, typeof schema>;

/** The one store: core tables, aggregates, incidents and outbox, on any drizzle SQLite driver. */
export function createStore(db: StoreDb): FullStore {
  return {
    ...createCoreStore(db),
    ...createHistoryStore(db),
    ...createIncidentStore(db),
    ...createMonitorStore(db),
    ...createRetentionStore(db),
  };
}

function createCoreStore(db: StoreDb): Store {
  return {
    upsertSite: (site, now) => upsertSite(db, site, now),
    getSite: async (siteId) => {
      const row = await db.select().from(sites).where(eq(sites.id, siteId)).get();
      return row ? siteFromRow(row) : undefined;
    },
    setPaused: async (siteId, paused) => {
      await db.update(sites).set({ paused }).where(eq(sites.id, siteId)).run();
    },
    setProbeTimes: async (siteId, times) => {
      await db.update(sites).set(times).where(eq(sites.id, siteId)).run();
    },
    createCanary: (input) => createCanary(db, input),
    getCanary: async (siteId, seq) => {
      const row = await db
        .select()
        .from(canaries)
        .where(and(eq(canaries.siteId, siteId), eq(canaries.seq, seq)))
        .get();
      return row ? canaryFromRow(row) : undefined;
    },
    listCanaries: async (siteId, { limit, beforeSeq }) => {
      const where = beforeSeq
        ? and(eq(canaries.siteId, siteId), lt(canaries.seq, beforeSeq))
        : eq(canaries.siteId, siteId);
      const rows = await db
        .select()
        .from(canaries)
        .where(where)
        .orderBy(desc(canaries.seq))
        .limit(limit)
        .all();
      return rows.map(canaryFromRow);
    },
    openCanaries: async (siteId) => {
      const rows = await db
        .select()
        .from(canaries)
        .where(and(eq(canaries.siteId, siteId), isNull(canaries.closedAt)))
        .orderBy(asc(canaries.seq))
        .all();
      return rows.map(canaryFromRow);
    },
    latestAcceptedCanary: (siteId) => acceptedCanary(db, siteId, 'newest'),
    firstAcceptedAfter: (siteId, seq) => acceptedCanary(db, siteId, 'oldest', seq),
    hasVisibleCanary: async (siteId) => {
      const row = await db
        .select({ seq: canaries.seq })
        .from(canaries)
        .where(
          and(
            eq(canaries.siteId, siteId),
            eq(canaries.kind, 'canary'),
            isNotNull(canaries.visibleAt),
          ),
        )
        .limit(1)
        .get();
      return row !== undefined;
    },
    updateCanary: async (canary: Canary) => {
      await db
        .update(canaries)
        .set(canaryToRow(canary))
        .where(and(eq(canaries.siteId, canary.siteId), eq(canaries.seq, canary.seq)))
        .run();
    },
    recordObservation: async (observation: Observation) => {
      await db
        .insert(observations)
        .values(observationToRow(observation))
        .onConflictDoNothing()
        .run();
    },
    listObservations: (siteId, query) => listObservations(db, siteId, query),
    upsertVantageStatus: async (status: VantageStatus) => {
      const row = vantageToRow(status);
      const { siteId: _s, vantage: _v, ...changes } = row;
      await db
        .insert(vantageStatus)
        .values(row)
        .onConflictDoUpdate({ target: [vantageStatus.siteId, vantageStatus.vantage], set: changes })
        .run();
    },
    removeVantageStatus: async (siteId, vantage) => {
      await db
        .delete(vantageStatus)
        .where(and(eq(vantageStatus.siteId, siteId), eq(vantageStatus.vantage, vantage)))
        .run();
    },
    vantageStatuses: async (siteId) => {
      const rows = await db
        .select()
        .from(vantageStatus)
        .where(eq(vantageStatus.siteId, siteId))
        .orderBy(asc(vantageStatus.vantage))
        .all();
      return rows.map(vantageFromRow);
    },
  };
}

async function upsertSite(
  db: StoreDb,
  site: { id: string; name: string; url: string; group?: string },
  now: number,
): Promise<void> {
  const values = { id: site.id, name: site.name, url: site.url, groupName: site.group ?? null };
  await db
    .insert(sites)
    .values({ ...values, createdAt: now })
    .onConflictDoUpdate({
      target: sites.id,
      set: { name: values.name, url: values.url, groupName: values.groupName },
    })
    .run();
}

/**
 * Seq allocation and insert in one statement, so two writers can never take
 * the same seq and a crash can never leave a gap. Keyed by token: a replay is a no-op.
 */
async function createCanary(db: StoreDb, input: NewCanary): Promise<Canary> {
  // An external deploy is inserted already propagating: a step must never see it pending and deploy it.
  const external = input.external;
  const phases = JSON.stringify(external ? [{ name: 'accepted', at: external.deployedAt }] : []);
  await db.run(sql`
    INSERT INTO canaries (site_id, seq, token, reason, intent_at, state, vantages, kind, marker,
                          deploy_started_at, deployed_at, next_probe_at, phases)
    SELECT ${input.siteId}, COALESCE(MAX(seq), 0) + 1, ${input.token}, ${input.reason},
           ${input.intentAt}, ${external ? 'propagating' : 'pending'}, '{}',
           ${external ? 'external' : 'canary'}, ${external?.marker ?? null},
           ${external?.deployedAt ?? null}, ${external?.deployedAt ?? null},
           ${external?.deployedAt ?? null}, ${phases}
    FROM canaries WHERE site_id = ${input.siteId}
    ON CONFLICT(token) DO NOTHING`);
  const row = await db.select().from(canaries).where(eq(canaries.token, input.token)).get();
  if (!row) throw new Error(`canary with token ${input.token} was not stored`);
  return canaryFromRow(row);
}

async function acceptedCanary(
  db: StoreDb,
  siteId: string,
  which: 'newest' | 'oldest',
  afterSeq?: number,
): Promise<Canary | undefined> {
  // Only freshprobe's own canaries: external deploys carry no canary file to compare against.
  const conditions = [
    eq(canaries.siteId, siteId),
    eq(canaries.kind, 'canary'),
    isNotNull(canaries.deployedAt),
  ];
  if (afterSeq !== undefined) conditions.push(gt(canaries.seq, afterSeq));
  const row = await db
    .select()
    .from(canaries)
    .where(and(...conditions))
    .orderBy(which === 'newest' ? desc(canaries.seq) : asc(canaries.seq))
    .limit(1)
    .get();
  return row ? canaryFromRow(row) : undefined;
}

async function listObservations(
  db: StoreDb,
  siteId: string,
  query: ObservationQuery,
): Promise<Observation[]> {
  const conditions = [eq(observations.siteId, siteId)];
  if (query.vantage) conditions.push(eq(observations.vantage, query.vantage));
  if (query.before !== undefined) conditions.push(lt(observations.startedAt, query.before));
  if (query.since !== undefined) conditions.push(gte(observations.startedAt, query.since));
  const rows = await db
    .select()
    .from(observations)
    .where(and(...conditions))
    .orderBy(desc(observations.startedAt), asc(observations.vantage))
    .limit(query.limit)
    .all();
  return rows.map(observationFromRow);
}

export type { SiteRecord };
