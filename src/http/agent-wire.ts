/**
 * The agent protocol's wire format, shared by the server routes
 * (agent-routes.ts) and `freshprobe agent`. Posted results are raw
 * ProbeResults plus the site they belong to; the server judges them. Every
 * field is bounded, so one agent cannot make the server store or parse much.
 */
import { z } from 'zod';
import type { ProbeResult } from '../core/model.js';

/** A whole POST body, bytes. */
export const MAX_POST_BYTES = 1_048_576;
/** Results per POST. */
export const MAX_RESULTS = 200;
/**
 * Body text kept per result, characters. freshprobe's own canary files are
 * under 1 KiB (HTML form included), so the marker is always inside; the agent
 * cuts longer bodies before sending.
 */
export const MAX_RESULT_BODY = 16_384;
/** Older results are refused: they would rewrite history the server already judged. */
export const MAX_RESULT_AGE_MS = 10 * 60_000;
/** Clock skew tolerated between agent and server; later than this is "in the future". */
export const MAX_CLOCK_SKEW_MS = 5_000;

/** `GET /api/v1/agent/sites`: what an agent needs to probe, and nothing secret. */
export interface AgentSitesResponse {
  agent: string;
  vantage: string;
  /** How often to fetch this list again, ms. */
  refreshMs: number;
  sites: AgentSite[];
}

export interface AgentSite {
  id: string;
  /** Full canary URL. */
  url: string;
  format: 'json' | 'html';
  /** Probe again after this long, ms: about 1 s while a new canary is unseen from here. */
  pollMs: number;
  probe: { timeoutMs: number; maxBodyBytes: number; maxRedirects: number; intervalMs: number };
}

/** One posted result: a ProbeResult and its site. */
export type AgentResult = ProbeResult & { siteId: string };

/** `POST /api/v1/agent/observations` answer. */
export interface AgentPostResponse {
  accepted: number;
  rejected: Array<{ index: number; reason: string }>;
  /** Per site that had accepted results: when to probe it next. */
  sites: Record<string, { pollMs: number }>;
}

const ERROR_CLASSES = [
  'dns',
  'connect',
  'tls',
  'timeout',
  'too_large',
  'redirect_loop',
  'too_many_redirects',
  'http_4xx',
  'http_5xx',
  'no_marker',
  'protocol',
] as const;

const CACHE_STATUSES = [
  'hit',
  'miss',
  'stale',
  'bypass',
  'expired',
  'revalidated',
  'dynamic',
  'other',
] as const;

const short = (max: number) => z.string().max(max);

const cache = z.strictObject({
  age: z.number().int().min(0).optional(),
  cacheControl: short(1000).optional(),
  etag: short(1000).optional(),
  lastModified: short(100).optional(),
  cacheStatus: z.enum(CACHE_STATUSES).optional(),
  pop: short(100).optional(),
});

const headers = z
  .record(short(200), short(4000))
  .refine((h) => Object.keys(h).length <= 100, 'at most 100 headers');

const result = z.strictObject({
  siteId: short(63),
  vantage: short(64),
  startedAt: z.number().int().min(0),
  durationMs: z.number().int().min(0).max(600_000),
  status: z.number().int().min(100).max(599).optional(),
  body: short(MAX_RESULT_BODY).optional(),
  headers: headers.optional(),
  cache,
  error: z.strictObject({ class: z.enum(ERROR_CLASSES), message: short(1000) }).optional(),
});

export const agentPostSchema = z.strictObject({ results: z.array(result).max(MAX_RESULTS) });

/** Why a well-formed result is refused (too old, in the future), or undefined. */
export function timeProblem(r: { startedAt: number; durationMs: number }, now: number) {
  if (r.startedAt < now - MAX_RESULT_AGE_MS)
    return `older than ${MAX_RESULT_AGE_MS / 60_000} minutes`;
  if (r.startedAt + r.durationMs > now + MAX_CLOCK_SKEW_MS)
    return 'in the future (check the agent clock: run NTP)';
  return undefined;
}
