/**
 * Judging one probe result against the site's canaries: the per-vantage states
 * of DESIGN.md section 3. Pure: the caller looks canaries up beforehand.
 */
import { readMarker } from './canary.js';
import type {
  Canary,
  ErrorClass,
  Observation,
  ProbeResult,
  SeenMarker,
  SiteState,
} from './model.js';

/** First pass: what the response says before any canary is looked up. */
export type Reading =
  | { kind: 'failed'; errorClass: ErrorClass; message: string }
  | { kind: 'missing' }
  | { kind: 'marker'; marker: SeenMarker & { site?: string } };

export function read(result: ProbeResult, siteId: string): Reading {
  if (result.error)
    return { kind: 'failed', errorClass: result.error.class, message: result.error.message };
  const status = result.status ?? 0;
  if (status === 404 || status === 410) return { kind: 'missing' };
  if (status >= 500) return { kind: 'failed', errorClass: 'http_5xx', message: `HTTP ${status}` };
  if (status < 200 || status >= 300) {
    return { kind: 'failed', errorClass: 'http_4xx', message: `HTTP ${status}` };
  }
  const marker = readMarker(result.body ?? '');
  if (!marker)
    return {
      kind: 'failed',
      errorClass: 'no_marker',
      message: 'HTTP 200 without a freshprobe marker',
    };
  if (marker.site !== undefined && marker.site !== siteId) {
    return {
      kind: 'failed',
      errorClass: 'no_marker',
      message: `serves the canary of site "${marker.site}"`,
    };
  }
  return { kind: 'marker', marker };
}

export interface JudgeContext {
  siteId: string;
  now: number;
  thresholdMs: number;
  /** Newest canary whose deploy was accepted; none before the first deploy. */
  newest?: Canary;
  /** Our canary with the seq that was served, if we have it. */
  served?: Canary;
  /** Oldest accepted canary newer than what was served: what the reader is missing. */
  firstNewer?: Canary;
  /** Whether the primary vantage ever saw any canary of this site. */
  everVisible: boolean;
}

export function judge(result: ProbeResult, reading: Reading, ctx: JudgeContext): Observation {
  const base: Observation = {
    siteId: ctx.siteId,
    vantage: result.vantage,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(ctx.newest ? { canarySeq: ctx.newest.seq } : {}),
    cache: result.cache,
    state: 'error',
  };
  if (reading.kind === 'failed') {
    return {
      ...base,
      state: 'error',
      errorClass: reading.errorClass,
      errorMessage: reading.message,
    };
  }
  if (reading.kind === 'missing') return { ...base, state: missingState(ctx) };
  const { marker } = reading;
  if (!ctx.served || ctx.served.token !== marker.token) {
    return {
      ...base,
      seqSeen: marker.seq,
      state: 'error',
      errorClass: 'no_marker',
      errorMessage: `serves canary #${marker.seq}, which freshprobe did not deploy here`,
    };
  }
  return { ...base, seqSeen: marker.seq, ...ageState(ctx) };
}

/**
 * Before any canary was ever seen, a 404 is the canary file not having arrived
 * yet: that is propagation, not a missing site, until the threshold passes.
 * Before any deploy was accepted it says nothing at all (no_data), so a site
 * whose first deploy fails reads deploy_failing, its real cause.
 */
function missingState(ctx: JudgeContext): SiteState {
  if (ctx.everVisible) return 'missing';
  if (!ctx.newest?.deployedAt) return 'no_data';
  return ctx.now - ctx.newest.deployedAt < ctx.thresholdMs ? 'propagating' : 'missing';
}

/**
 * Serving our newest accepted canary (or newer) is fresh. Serving an older one
 * is judged by the age of the first canary it lacks, not the newest: a reader
 * two canaries behind is stale even if the newest deploy is a minute old.
 */
function ageState(ctx: JudgeContext): Pick<Observation, 'state' | 'stalenessMs'> {
  const served = ctx.served!;
  if (!ctx.newest || served.seq >= ctx.newest.seq || !ctx.firstNewer?.deployedAt) {
    return { state: 'fresh' };
  }
  const stalenessMs = Math.max(0, ctx.now - ctx.firstNewer.deployedAt);
  return { state: stalenessMs < ctx.thresholdMs ? 'propagating' : 'stale', stalenessMs };
}
