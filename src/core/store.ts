/**
 * The Store port. Async because D1 is; every write is one idempotent statement
 * (D1 has no interactive transactions), so a retried or replayed write is harmless.
 */
import type { Canary, Observation, VantageStatus } from './model.js';

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
  /** The newest canary whose deploy was accepted (has deployedAt). */
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
}
