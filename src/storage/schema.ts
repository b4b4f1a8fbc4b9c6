/**
 * The one drizzle schema (sqlite-core), shared by better-sqlite3 on Node and
 * D1 on Workers. Times are epoch milliseconds in integer columns.
 */
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/** Sites as last configured, plus scheduler bookkeeping that must survive restarts. */
export const sites = sqliteTable('sites', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  groupName: text('group_name'),
  paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  /** Next steady (between-canaries) probe round. */
  nextProbeAt: integer('next_probe_at'),
  /** Start of the newest probe round, for no_data detection. */
  lastProbeAt: integer('last_probe_at'),
});

export const canaries = sqliteTable(
  'canaries',
  {
    siteId: text('site_id').notNull(),
    seq: integer('seq').notNull(),
    token: text('token').notNull().unique(),
    reason: text('reason').notNull(),
    intentAt: integer('intent_at').notNull(),
    state: text('state').notNull(),
    deployStartedAt: integer('deploy_started_at'),
    deployedAt: integer('deployed_at'),
    deployDetail: text('deploy_detail'),
    deployError: text('deploy_error'),
    visibleAt: integer('visible_at'),
    latencyMs: integer('latency_ms'),
    latencyLoMs: integer('latency_lo_ms'),
    latencyHiMs: integer('latency_hi_ms'),
    withinSlo: integer('within_slo', { mode: 'boolean' }),
    nextProbeAt: integer('next_probe_at'),
    closedAt: integer('closed_at'),
    /** JSON: Record<vantage, { lastMissAt?, visibleAt? }>, rewritten whole on each update. */
    vantages: text('vantages').notNull().default('{}'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.seq] }),
    index('canaries_open').on(t.siteId, t.closedAt),
  ],
);

export const observations = sqliteTable(
  'observations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    siteId: text('site_id').notNull(),
    vantage: text('vantage').notNull(),
    startedAt: integer('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    status: integer('status'),
    seqSeen: integer('seq_seen'),
    state: text('state').notNull(),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    canarySeq: integer('canary_seq'),
    stalenessMs: integer('staleness_ms'),
    age: real('age'),
    cacheControl: text('cache_control'),
    etag: text('etag'),
    lastModified: text('last_modified'),
    cacheStatus: text('cache_status'),
    pop: text('pop'),
  },
  (t) => [
    // One row per vantage and instant: a replayed write is a no-op (idempotent).
    index('observations_site_time').on(t.siteId, t.startedAt),
    uniqueIndex('observations_unique').on(t.siteId, t.vantage, t.startedAt),
  ],
);

/** Latest judged state per vantage: what the status page and site state read. */
export const vantageStatus = sqliteTable(
  'vantage_status',
  {
    siteId: text('site_id').notNull(),
    vantage: text('vantage').notNull(),
    state: text('state').notNull(),
    since: integer('since').notNull(),
    lastObservedAt: integer('last_observed_at').notNull(),
    seqSeen: integer('seq_seen'),
    status: integer('status'),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    stalenessMs: integer('staleness_ms'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.vantage] })],
);
