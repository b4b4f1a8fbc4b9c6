/**
 * The one drizzle schema (sqlite-core), shared by better-sqlite3 on Node and
 * D1 on Workers. Times are epoch milliseconds in integer columns.
 */
import {
  blob,
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
    /** JSON: { [vantage]: [lastMissAt, visibleAt] } (rows.ts), rewritten whole on each update. */
    vantages: text('vantages').notNull().default('{}'),
    /** `canary` (freshprobe deployed it) or `external` (registered through the API). */
    kind: text('kind').notNull().default('canary'),
    /** For external deploys: the marker to look for (a commit SHA, a version). */
    marker: text('marker'),
    /** JSON: [{ name, at, detail? }], e.g. pipeline done; `accepted` is rebuilt from deployed_at (rows.ts). */
    phases: text('phases').notNull().default('[]'),
    /** Tail of a command deployer's output. */
    deployOutput: text('deploy_output'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.seq] }),
    index('canaries_open').on(t.siteId, t.closedAt),
    index('canaries_deployed').on(t.siteId, t.deployedAt),
    // canariesSince (SLO view, site page chart, report) and the daily rollup read by intent time.
    index('canaries_intent').on(t.siteId, t.intentAt),
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

/**
 * Per site and UTC day: canaries deployed that day and how many met the SLO.
 * Recomputed from `canaries` in one idempotent statement when a canary closes,
 * so the 90-day status bar reads 90 rows, not thousands of canaries.
 */
export const dailyFreshness = sqliteTable(
  'daily_freshness',
  {
    siteId: text('site_id').notNull(),
    /** Epoch ms of 00:00 UTC. */
    day: integer('day').notNull(),
    canaries: integer('canaries').notNull(),
    withinSlo: integer('within_slo').notNull(),
    visible: integer('visible').notNull(),
    timedOut: integer('timed_out').notNull(),
    deployFailed: integer('deploy_failed').notNull(),
    /** Sum and max of edge latency over visible canaries, ms. */
    latencySumMs: integer('latency_sum_ms').notNull(),
    latencyMaxMs: integer('latency_max_ms'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day] })],
);

/**
 * Per site, vantage and UTC hour: probe counts by state. Every probe counts
 * here, including the identical "still fresh" ones that are not kept as rows.
 * Idempotent: a replayed observation (same or older lastAt) changes nothing.
 */
export const hourlyVantage = sqliteTable(
  'hourly_vantage',
  {
    siteId: text('site_id').notNull(),
    vantage: text('vantage').notNull(),
    hour: integer('hour').notNull(),
    total: integer('total').notNull(),
    fresh: integer('fresh').notNull(),
    propagating: integer('propagating').notNull(),
    stale: integer('stale').notNull(),
    missing: integer('missing').notNull(),
    error: integer('error').notNull(),
    /** Sum and max of probe duration, ms. */
    durationSumMs: integer('duration_sum_ms').notNull(),
    durationMaxMs: integer('duration_max_ms').notNull(),
    /** Start of the newest observation counted (the idempotency guard). */
    lastAt: integer('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.vantage, t.hour] })],
);

/** Incidents, their timeline kept as JSON and rewritten whole (one statement). */
export const incidents = sqliteTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull(),
    cause: text('cause').notNull(),
    state: text('state').notNull(),
    impact: text('impact').notNull(),
    openedAt: integer('opened_at').notNull(),
    resolvedAt: integer('resolved_at'),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    vantages: text('vantages').notNull().default('[]'),
    timeline: text('timeline').notNull().default('[]'),
  },
  (t) => [index('incidents_site').on(t.siteId, t.openedAt), index('incidents_state').on(t.state)],
);

/** Alert rule state per site and rule (failure/recovery counters, firing since). */
export const alertState = sqliteTable(
  'alert_state',
  {
    siteId: text('site_id').notNull(),
    rule: text('rule').notNull(),
    /** JSON, owned by the rule. */
    state: text('state').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.rule] })],
);

/**
 * The notification outbox: a message is stored before it is sent, and its
 * delivery is retried from here, across restarts, in creation order.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    /** Deterministic: `${incidentId}:${kind}:${n}:${notifierId}`, so a replayed enqueue is a no-op. */
    id: text('id').primaryKey(),
    notifierId: text('notifier_id').notNull(),
    incidentId: text('incident_id').notNull(),
    kind: text('kind').notNull(),
    /** The AlertMessage, JSON. */
    message: text('message').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    sentAt: integer('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [
    index('notifications_due').on(t.status, t.nextAttemptAt),
    index('notifications_incident').on(t.incidentId),
  ],
);

/**
 * Intervals in which the monitor itself was not watching (process down or
 * paused, machine suspended, wall clock jumped). They are no-data, never
 * uptime: availability SLIs leave out the hours they touch.
 */
export const monitorGaps = sqliteTable(
  'monitor_gaps',
  {
    /** `${kind}:${startedAt}`, so recording the same gap twice is a no-op. */
    id: text('id').primaryKey(),
    /** `down` (no process), `pause` (process stopped or starved), `clock_jump`. */
    kind: text('kind').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at').notNull(),
    detail: text('detail'),
  },
  (t) => [index('monitor_gaps_time').on(t.startedAt)],
);

/** The newest heartbeat of the running monitor: one row, rewritten on every beat. */
export const monitorHeartbeat = sqliteTable('monitor_heartbeat', {
  id: integer('id').primaryKey(),
  at: integer('at').notNull(),
  /** When the process that wrote it started. */
  processStartedAt: integer('process_started_at').notNull(),
  pid: integer('pid').notNull(),
});

/**
 * Failure screenshots of the browser vantage (PNG, a few hundred KiB at most). Only the newest
 * few per site are kept: the store prunes on every save.
 */
export const screenshots = sqliteTable(
  'screenshots',
  {
    siteId: text('site_id').notNull(),
    vantage: text('vantage').notNull(),
    /** Start of the probe that took it, epoch ms. */
    takenAt: integer('taken_at').notNull(),
    png: blob('png', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.vantage, t.takenAt] })],
);
