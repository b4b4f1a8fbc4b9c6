/**
 * The domain model. Every time is epoch milliseconds (suffix `At`), every
 * duration is milliseconds (suffix `Ms`). Nothing here touches I/O.
 */

/** State of one vantage, or of a whole site (worst over vantages). DESIGN.md section 3. */
export type SiteState =
  | 'fresh'
  | 'propagating'
  | 'stale'
  | 'missing'
  | 'error'
  | 'deploy_failing'
  | 'no_data'
  | 'paused';

/** Lifecycle of one canary. */
export type CanaryState =
  | 'pending'
  | 'deploying'
  | 'deploy_failed'
  | 'propagating'
  | 'visible'
  | 'timed_out';

/** Why a probe could not judge content. `no_marker`: a 200 whose body carries no marker. */
export type ErrorClass =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'too_large'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'http_4xx'
  | 'http_5xx'
  | 'no_marker'
  | 'protocol';

/** Normalized cache facts of one response (DESIGN.md section 4). */
export interface CacheInfo {
  /** `Age` header, seconds. */
  age?: number;
  cacheControl?: string;
  etag?: string;
  lastModified?: string;
  /** Normalized from Cache-Status (RFC 9211), cf-cache-status, x-vercel-cache, x-cache. */
  cacheStatus?:
    | 'hit'
    | 'miss'
    | 'stale'
    | 'bypass'
    | 'expired'
    | 'revalidated'
    | 'dynamic'
    | 'other';
  /** Point of presence or cache node that answered (x-served-by, cf-ray suffix, ...). */
  pop?: string;
}

/** What a prober returns for one vantage: raw facts, not yet judged against canaries. */
export interface ProbeResult {
  /** `edge`, `origin`, `node:127.0.0.4`, `browser`, or a remote agent's name. */
  vantage: string;
  /** When the request was sent. */
  startedAt: number;
  /** Until the body was read (or the failure). */
  durationMs: number;
  /** Final HTTP status after redirects, when a response arrived. */
  status?: number;
  /** Body text, capped; absent on failure. */
  body?: string;
  /** Response headers of the final response, lowercased names. */
  headers?: Record<string, string>;
  cache: CacheInfo;
  /** Set when the probe failed below HTTP (or body too large, redirects). */
  error?: { class: ErrorClass; message: string };
  /** PNG of the viewport when a browser probe failed (error, non-2xx, no marker); size-capped. */
  screenshot?: Uint8Array;
}

/** A marker read from a served canary file or page. */
export interface SeenMarker {
  seq: number;
  token: string;
  /** deployedAt carried in the file (intent time of that canary). */
  deployedAt?: number;
}

/** One judged probe result, as stored. */
export interface Observation {
  siteId: string;
  vantage: string;
  startedAt: number;
  durationMs: number;
  status?: number;
  seqSeen?: number;
  state: SiteState;
  errorClass?: ErrorClass;
  errorMessage?: string;
  cache: CacheInfo;
  /** The newest accepted canary this observation was judged against. */
  canarySeq?: number;
  /** For stale content: now minus the deploy time of the first canary newer than what was served. */
  stalenessMs?: number;
}

/** Progress of one canary at one vantage. */
export interface CanaryVantage {
  vantage: string;
  /** Start of the newest observation that did not show this canary (lower bound of visibility). */
  lastMissAt?: number;
  /** End of the first observation that showed this canary or a newer one. */
  visibleAt?: number;
}

export interface Canary {
  siteId: string;
  /** Monotonic per site, from 1, never reused. */
  seq: number;
  /** 128-bit random hex; unique across all canaries. */
  token: string;
  /** When freshprobe decided to deploy (persisted before the deploy starts). */
  intentAt: number;
  state: CanaryState;
  /** Why this canary exists: `schedule`, `manual`, `startup`. */
  reason: string;
  /** When the publishing step started (push, write); lower edge of the accept window. */
  deployStartedAt?: number;
  /** When the host accepted the deploy (push returned); the latency origin. */
  deployedAt?: number;
  /** Short proof from the host: a commit SHA, a deployment id. */
  deployDetail?: string;
  deployError?: string;
  /** When the primary vantage (edge) first served it. */
  visibleAt?: number;
  latencyMs?: number;
  latencyBoundsMs?: [number, number];
  withinSlo?: boolean;
  /** Next adaptive probe while open. */
  nextProbeAt?: number;
  /** When the canary reached a final state. */
  closedAt?: number;
  vantages: Record<string, CanaryVantage>;
  /** `external`: a real deploy registered through the API, tracked like a canary. Default `canary`. */
  kind?: 'canary' | 'external';
  /** For external deploys: the marker to look for (a commit SHA, a version string). */
  marker?: string;
  /** What happened when: accepted, pipeline done, visible at origin, visible at the edge. */
  phases?: DeployPhase[];
  /** Tail of a command deployer's output. */
  deployOutput?: string;
}

export interface DeployPhase {
  name: string;
  at: number;
  detail?: string;
}

/** Latest judged state of one vantage of a site. */
export interface VantageStatus {
  siteId: string;
  vantage: string;
  state: SiteState;
  /** When this state began (first observation in it). */
  since: number;
  /** End of the newest observation. */
  lastObservedAt: number;
  seqSeen?: number;
  status?: number;
  errorClass?: ErrorClass;
  errorMessage?: string;
  stalenessMs?: number;
}

export const FINAL_CANARY_STATES: ReadonlySet<CanaryState> = new Set([
  'deploy_failed',
  'visible',
  'timed_out',
]);

export function isOpen(canary: Canary): boolean {
  return !FINAL_CANARY_STATES.has(canary.state);
}

/** Why an incident is open: one incident per site and cause at a time. */
export type IncidentCause =
  | 'not_visible'
  | 'stale'
  | 'missing'
  | 'error'
  | 'regression'
  | 'deploy_failing'
  | 'no_data'
  | 'slo_burn';

/** Statuspage component impact, derived from state and how many vantages are affected. */
export type Impact = 'degraded_performance' | 'partial_outage' | 'major_outage';

export interface IncidentEvent {
  at: number;
  kind:
    | 'opened'
    | 'deploy'
    | 'first_stale'
    | 'alert_sent'
    | 'acknowledged'
    | 'note'
    | 'update'
    | 'recovered'
    | 'resolved';
  message: string;
}

export interface Incident {
  /** Stable: `${siteId}:${cause}:${openedAt}`. */
  id: string;
  siteId: string;
  cause: IncidentCause;
  state: 'open' | 'resolved';
  impact: Impact;
  openedAt: number;
  resolvedAt?: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  /** One line in words: "Stale: 1 of 5 nodes serve content from 09:12". */
  title: string;
  /** What it means and what to do; ends with the runbook link when there is one. */
  summary: string;
  vantages: string[];
  timeline: IncidentEvent[];
}

/** What a notifier is asked to deliver. Notifiers format it for their wire format. */
export interface AlertMessage {
  kind: 'firing' | 'resolved' | 'repeat' | 'test';
  incidentId: string;
  /** Same for firing, repeats and resolve of one incident (PagerDuty dedup_key). */
  dedupKey: string;
  site: { id: string; name: string; url: string };
  state: SiteState;
  cause: IncidentCause;
  title: string;
  summary: string;
  /** When the bad state began. */
  since: number;
  stalenessMs?: number;
  /** Affected vantages, e.g. ["node:10.0.0.4"]. */
  vantages: string[];
  /** Of the newest canary, against the SLO threshold. */
  latency?: { latencyMs?: number; latencyBoundsMs?: [number, number]; thresholdMs: number };
  /** Link to the site page on the status server, when server.publicUrl is set. */
  siteUrl?: string;
  runbook?: string;
  /** When this message was created. */
  at: number;
}
