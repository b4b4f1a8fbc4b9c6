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
import { driverValues, once, param, paramsFor } from './prepared.js';
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

/** The queries a probe round runs, prepared once per store (see prepared.ts). */
function hotQueries(db: StoreDb) {
  const siteCanary = and(eq(canaries.siteId, param('siteId')), eq(canaries.seq, param('seq')));
  // Only freshprobe's own canaries: external deploys carry no canary file to compare against.
  const accepted = and(
    eq(canaries.siteId, param('siteId')),
    eq(canaries.kind, 'canary'),
    isNotNull(canaries.deployedAt),
  );
  return {
    site: once(() =>
      db
        .select()
        .from(sites)
        .where(eq(sites.id, param('siteId')))
        .prepare(),
    ),
    probeTimes: once(() =>
      db
        .update(sites)
        .set(paramsFor(['nextProbeAt', 'lastProbeAt']))
        .where(eq(sites.id, param('siteId')))
        .prepare(),
    ),
    nextProbeTime: once(() =>
      db
        .update(sites)
        .set(paramsFor(['nextProbeAt']))
        .where(eq(sites.id, param('siteId')))
        .prepare(),
    ),
    canary: once(() => db.select().from(canaries).where(siteCanary).prepare()),
    recentCanaries: once(() =>
      db
        .select()
        .from(canaries)
        .where(eq(canaries.siteId, param('siteId')))
        .orderBy(desc(canaries.seq))
        .limit(param('limit'))
        .prepare(),
    ),
    openCanaries: once(() =>
      db
        .select()
        .from(canaries)
        .where(and(eq(canaries.siteId, param('siteId')), isNull(canaries.closedAt)))
        .orderBy(asc(canaries.seq))
        .prepare(),
    ),
    newestAccepted: once(() =>
      db.select().from(canaries).where(accepted).orderBy(desc(canaries.seq)).limit(1).prepare(),
    ),
    firstAcceptedAfter: once(() =>
      db
        .select()
        .from(canaries)
        .where(and(accepted, gt(canaries.seq, param('seq'))))
        .orderBy(asc(canaries.seq))
        .limit(1)
        .prepare(),
    ),
    anyVisible: once(() =>
      db
        .select({ seq: canaries.seq })
        .from(canaries)
        .where(
          and(
            eq(canaries.siteId, param('siteId')),
            eq(canaries.kind, 'canary'),
            isNotNull(canaries.visibleAt),
          ),
        )
        .limit(1)
        .prepare(),
    ),
    // Built from the first row's keys: the canary's mutable columns, as rows.ts lists them.
    updateCanary: onceFor((keys: string[]) =>
      db.update(canaries).set(paramsFor(keys)).where(siteCanary).prepare(),
    ),
    insertObservation: onceFor((keys: string[]) =>
      db.insert(observations).values(paramsFor(keys)).onConflictDoNothing().prepare(),
    ),
    upsertVantage: onceFor((keys: string[]) => {
      const changes = keys.filter((k) => k !== 'siteId' && k !== 'vantage');
      return db
        .insert(vantageStatus)
        .values(paramsFor(keys))
        .onConflictDoUpdate({
          target: [vantageStatus.siteId, vantageStatus.vantage],
          set: Object.fromEntries(changes.map((k) => [k, sql.raw(`excluded.${columnOf(k)}`)])),
        })
        .prepare();
    }),
    vantages: once(() =>
      db
        .select()
        .from(vantageStatus)
        .where(eq(vantageStatus.siteId, param('siteId')))
        .orderBy(asc(vantageStatus.vantage))
        .prepare(),
    ),
  };
}

/** `once` for statements whose column list comes from the first row written. */
function onceFor<T>(build: (keys: string[]) => T): (row: object) => T {
  let value: T | undefined;
  return (row) => {
    value ??= build(Object.keys(row));
    return value;
  };
}

/** vantage_status's SQL column for a model key (`lastObservedAt` -> `last_observed_at`). */
function columnOf(key: string): string {
  const column = (vantageStatus as unknown as Record<string, { name?: string }>)[key]?.name;
  if (!column) throw new Error(`vantage_status has no column for ${key}`);
  return column;
}

function createCoreStore(db: StoreDb): Store {
  const q = hotQueries(db);
  return {
    upsertSite: (site, now) => upsertSite(db, site, now),
    getSite: async (siteId) => {
      const row = await q.site().get({ siteId });
      return row ? siteFromRow(row) : undefined;
    },
    setPaused: async (siteId, paused) => {
      await db.update(sites).set({ paused }).where(eq(sites.id, siteId)).run();
    },
    setProbeTimes: async (siteId, { nextProbeAt, lastProbeAt }) => {
      if (lastProbeAt === undefined) await q.nextProbeTime().run({ siteId, nextProbeAt });
      else await q.probeTimes().run({ siteId, nextProbeAt, lastProbeAt });
    },
    createCanary: (input) => createCanary(db, input),
    getCanary: async (siteId, seq) => {
      const row = await q.canary().get({ siteId, seq });
      return row ? canaryFromRow(row) : undefined;
    },
    listCanaries: async (siteId, { limit, beforeSeq }) => {
      if (!beforeSeq) return (await q.recentCanaries().all({ siteId, limit })).map(canaryFromRow);
      const rows = await db
        .select()
        .from(canaries)
        .where(and(eq(canaries.siteId, siteId), lt(canaries.seq, beforeSeq)))
        .orderBy(desc(canaries.seq))
        .limit(limit)
        .all();
      return rows.map(canaryFromRow);
    },
    openCanaries: async (siteId) => (await q.openCanaries().all({ siteId })).map(canaryFromRow),
    latestAcceptedCanary: async (siteId) => {
      const row = await q.newestAccepted().get({ siteId });
      return row ? canaryFromRow(row) : undefined;
    },
    firstAcceptedAfter: async (siteId, seq) => {
      const row = await q.firstAcceptedAfter().get({ siteId, seq });
      return row ? canaryFromRow(row) : undefined;
    },
    hasVisibleCanary: async (siteId) => (await q.anyVisible().get({ siteId })) !== undefined,
    updateCanary: async (canary: Canary) => {
      const row = canaryToRow(canary);
      await q
        .updateCanary(row)
        .run({ ...driverValues(row), siteId: canary.siteId, seq: canary.seq });
    },
    recordObservation: async (observation: Observation) => {
      const row = observationToRow(observation);
      await q.insertObservation(row).run(driverValues(row));
    },
    listObservations: (siteId, query) => listObservations(db, siteId, query),
    upsertVantageStatus: async (status: VantageStatus) => {
      const row = vantageToRow(status);
      await q.upsertVantage(row).run(driverValues(row));
    },
    removeVantageStatus: async (siteId, vantage) => {
      await db
        .delete(vantageStatus)
        .where(and(eq(vantageStatus.siteId, siteId), eq(vantageStatus.vantage, vantage)))
        .run();
    },
    vantageStatuses: async (siteId) => (await q.vantages().all({ siteId })).map(vantageFromRow),
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
