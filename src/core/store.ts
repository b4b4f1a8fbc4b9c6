/**
 * The Store port. Async because D1 is; every write is one idempotent statement
 * (D1 has no interactive transactions), so a retried or replayed write is harmless.
 */
import type { AlertMessage, Canary, Incident, Observation, VantageStatus } from './model.js';

export interface SiteRecord {
  id: string;
  name: string;
  url: string;
  group?: string;
  paused: boolean;
  createdAt: number;
  nextProbeAt?: number;
  lastProbeAt?: number;
}

export interface NewCanary {
  siteId: string;
  /** Unique; creating the same token twice returns the first canary. */
  token: string;
  intentAt: number;
  reason: string;
  /** An external deploy: inserted already accepted and propagating. */
  external?: { marker: string; deployedAt: number };
}

export interface ObservationQuery {
  limit: number;
  vantage?: string;
  /** Only observations that started before this instant (paging backwards). */
  before?: number;
  since?: number;
}

export interface Store {
  /** Insert or update sites from config; keeps runtime columns (paused, next probe). */
  upsertSite(
    site: { id: string; name: string; url: string; group?: string },
    now: number,
  ): Promise<void>;
  getSite(siteId: string): Promise<SiteRecord | undefined>;
  setPaused(siteId: string, paused: boolean): Promise<void>;
  /** Records when the next steady probe is due and when the newest round started. */
  setProbeTimes(
    siteId: string,
    times: { nextProbeAt: number; lastProbeAt?: number },
  ): Promise<void>;

  /** Allocates the next seq for the site in the same statement that inserts. */
  createCanary(input: NewCanary): Promise<Canary>;
  getCanary(siteId: string, seq: number): Promise<Canary | undefined>;
  /** Newest first. */
  listCanaries(siteId: string, options: { limit: number; beforeSeq?: number }): Promise<Canary[]>;
  /** Canaries not in a final state, oldest first. */
  openCanaries(siteId: string): Promise<Canary[]>;
  /** The newest of freshprobe's own canaries whose deploy was accepted (external deploys excluded). */
  latestAcceptedCanary(siteId: string): Promise<Canary | undefined>;
  /** The oldest accepted canary with seq greater than `seq`: what a stale reader is missing. */
  firstAcceptedAfter(siteId: string, seq: number): Promise<Canary | undefined>;
  /** Whether any canary of the site was ever seen at its primary vantage. */
  hasVisibleCanary(siteId: string): Promise<boolean>;
  /** Writes every mutable field of the canary (state, times, vantages). */
  updateCanary(canary: Canary): Promise<void>;

  recordObservation(observation: Observation): Promise<void>;
  listObservations(siteId: string, query: ObservationQuery): Promise<Observation[]>;

  upsertVantageStatus(status: VantageStatus): Promise<void>;
  vantageStatuses(siteId: string): Promise<VantageStatus[]>;
  /** Forgets a vantage that no longer exists (a node gone from DNS, a vantage removed from config). */
  removeVantageStatus(siteId: string, vantage: string): Promise<void>;
  /**
   * Makes every write so far durable, for a driver that groups commits (better-sqlite3); where
   * each statement commits on its own (D1) it is absent. Called before an action outside the
   * process that a lost write would misreport, such as deploying a canary.
   */
  flush?(): Promise<void>;
}

/** One UTC day of one site's canaries (the 90-day bar). */
export interface DailyFreshness {
  siteId: string;
  /** Epoch ms of 00:00 UTC. */
  day: number;
  canaries: number;
  withinSlo: number;
  visible: number;
  timedOut: number;
  deployFailed: number;
  latencySumMs: number;
  latencyMaxMs?: number;
}

/** One UTC hour of one vantage's probes, by state. */
export interface HourlyVantage {
  siteId: string;
  vantage: string;
  hour: number;
  total: number;
  fresh: number;
  propagating: number;
  stale: number;
  missing: number;
  error: number;
  durationSumMs: number;
  durationMaxMs: number;
}

/** A canary's SLO verdict as an event at its deploy time (its intent time if never deployed). */
export interface CanaryVerdict {
  seq: number;
  intentAt: number;
  at: number;
  good: boolean;
}

/** Aggregates that outlive raw observations: what SLOs and the status page read. */
export interface HistoryStore {
  /** Recounts one UTC day of a site's canaries from the canaries table (idempotent). */
  recomputeDay(siteId: string, day: number): Promise<void>;
  /** Days from `fromDay` on; `siteId` undefined = every site (the status page). */
  dailyFreshness(fromDay: number, siteId?: string): Promise<DailyFreshness[]>;
  /** Counts one probe into its hour; replaying the same observation changes nothing. */
  countProbe(observation: Observation): Promise<void>;
  hourlyVantage(siteId: string, fromHour: number, vantage?: string): Promise<HourlyVantage[]>;
  /** Canaries deployed since `since`, oldest first (SLO windows, charts). */
  canariesSince(siteId: string, since: number): Promise<Canary[]>;
  /**
   * The SLO verdicts among canariesSince(siteId, since), oldest first: what burn-rate alerting
   * reads on every step, without the rest of each row.
   */
  verdictsSince(siteId: string, since: number): Promise<readonly CanaryVerdict[]>;
  /** Every stored site, by id (the status page reads all sites in one query). */
  listSites(): Promise<SiteRecord[]>;
  /** The newest canary (highest seq) of every site that has one. */
  latestCanaries(): Promise<Canary[]>;
  /** Latest status of every vantage of every site, by site then vantage. */
  allVantageStatuses(): Promise<VantageStatus[]>;
  /** Stores a failure screenshot (idempotent) and prunes the site's to the newest SCREENSHOTS_KEPT. */
  saveScreenshot(siteId: string, vantage: string, takenAt: number, png: Uint8Array): Promise<void>;
  /** Newest first, without the images. */
  listScreenshots(siteId: string, limit: number): Promise<ScreenshotInfo[]>;
  /** The PNG taken at `takenAt` (by `vantage`, when given). */
  getScreenshot(siteId: string, takenAt: number, vantage?: string): Promise<Uint8Array | undefined>;
}

/** Failure screenshots kept per site; each save deletes older ones. */
export const SCREENSHOTS_KEPT = 20;

/** One stored screenshot, without its image. */
export interface ScreenshotInfo {
  siteId: string;
  vantage: string;
  /** Start of the probe that took it, epoch ms. */
  takenAt: number;
  /** PNG size. */
  bytes: number;
}

export type NotificationStatus = 'pending' | 'sent' | 'failed';

/** One outbox entry: a message for one notifier. */
export interface OutboxEntry {
  id: string;
  notifierId: string;
  incidentId: string;
  kind: AlertMessage['kind'];
  message: AlertMessage;
  status: NotificationStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  sentAt?: number;
  lastError?: string;
}

export interface IncidentStore {
  putIncident(incident: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** Open incidents, of one site or all. */
  openIncidents(siteId?: string): Promise<Incident[]>;
  /** Newest first. */
  listIncidents(query: { siteId?: string; limit: number; since?: number }): Promise<Incident[]>;
  getAlertState<T>(siteId: string, rule: string): Promise<T | undefined>;
  /** Every rule's state of one site, by rule (one read per step instead of one per rule). */
  alertStates<T>(siteId: string): Promise<Map<string, T>>;
  putAlertState(siteId: string, rule: string, state: unknown, now: number): Promise<void>;
  /** Stores a message before it is sent; the same id twice is a no-op. */
  enqueueNotification(entry: OutboxEntry): Promise<void>;
  /** Pending entries due by `now`, oldest first. */
  dueNotifications(now: number, limit: number): Promise<OutboxEntry[]>;
  updateNotification(entry: OutboxEntry): Promise<void>;
  listNotifications(query: { incidentId?: string; limit: number }): Promise<OutboxEntry[]>;
}

/** A stretch of time the monitor was not watching: no data, never uptime. */
export interface MonitorGap {
  /** `down`: no process ran; `pause`: the process was stopped or starved; `clock_jump`. */
  kind: 'down' | 'pause' | 'clock_jump';
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  detail?: string;
}

/** The running monitor's newest sign of life. */
export interface Heartbeat {
  /** Epoch ms of the beat. */
  at: number;
  processStartedAt: number;
  pid: number;
}

/** Tables retention prunes; `siteId` scopes a batch to one site (an index prefix). */
export type PruneTable =
  | 'observations'
  | 'hourly_vantage'
  | 'daily_freshness'
  | 'canaries'
  | 'notifications'
  | 'monitor_gaps';

/** Operating bookkeeping: heartbeat, no-data gaps, retention batches. Single statements (D1). */
export interface OpsStore {
  putHeartbeat(beat: Heartbeat): Promise<void>;
  getHeartbeat(): Promise<Heartbeat | undefined>;
  /** Idempotent by kind and start. */
  recordGap(gap: MonitorGap): Promise<void>;
  /** Gaps that overlap [from, to), oldest first. */
  listGaps(from: number, to?: number): Promise<MonitorGap[]>;
  /**
   * Deletes at most `limit` rows of `table` older than `before` (epoch ms) in
   * one statement and returns how many. Never deletes a site's newest canary
   * (seq allocation counts on it) nor an open one, nor a pending notification.
   */
  pruneBatch(table: PruneTable, before: number, limit: number, siteId?: string): Promise<number>;
}

/** Everything a runtime gets from one database. */
export type FullStore = Store & HistoryStore & IncidentStore & OpsStore;
