/**
 * Sending an agent's results: cut to the wire limits, posted in chunks, and
 * kept for the next try while the server is unreachable (the server accepts
 * results up to 10 minutes old, so a short outage loses nothing).
 */
import type { Logger } from '../../core/deps.js';
import { errorMessage } from '../../core/deps.js';
import type { ProbeResult } from '../../core/model.js';
import type { AgentPostResponse } from '../../http/agent-wire.js';
import { MAX_RESULT_AGE_MS } from '../../http/agent-wire.js';

export type AgentResult = ProbeResult & { siteId: string };

/** Results per POST: 50 bodies of at most 16 KiB stay under the server's 1 MiB cap. */
const CHUNK = 50;
/** Results kept while the server is down; the oldest go first. */
const MAX_PENDING = 2_000;
const MAX_HEADERS = 100;

const cut = (text: string | undefined, max: number) =>
  text === undefined || text.length <= max ? text : text.slice(0, max);

/** Fits a result into the wire limits (agent-wire.ts): body, headers and cache fields cut. */
export function clampResult(r: AgentResult, maxBody: number): AgentResult {
  const headers = r.headers
    ? Object.fromEntries(
        Object.entries(r.headers)
          .slice(0, MAX_HEADERS)
          .map(([k, v]) => [k.slice(0, 200), v.slice(0, 4000)]),
      )
    : undefined;
  const cache = {
    ...r.cache,
    ...(r.cache.cacheControl && { cacheControl: cut(r.cache.cacheControl, 1000) }),
    ...(r.cache.etag && { etag: cut(r.cache.etag, 1000) }),
    ...(r.cache.lastModified && { lastModified: cut(r.cache.lastModified, 100) }),
    ...(r.cache.pop && { pop: cut(r.cache.pop, 100) }),
  };
  return {
    ...r,
    ...(r.body !== undefined && { body: cut(r.body, maxBody) }),
    ...(headers && { headers }),
    ...(r.error && { error: { ...r.error, message: r.error.message.slice(0, 1000) } }),
    cache,
  };
}

export class PostQueue {
  private pending: AgentResult[] = [];

  constructor(
    private readonly api: typeof fetch,
    private readonly url: string,
    private readonly auth: Record<string, string>,
    private readonly log: Logger,
  ) {}

  /** Posts everything pending plus `results`; returns the merged poll hints, if any arrived. */
  async post(results: AgentResult[]): Promise<AgentPostResponse | undefined> {
    const fresh = Date.now() - MAX_RESULT_AGE_MS + 30_000;
    this.pending = [...this.pending, ...results]
      .filter((r) => r.startedAt > fresh)
      .slice(-MAX_PENDING);
    let merged: AgentPostResponse | undefined;
    while (this.pending.length) {
      const chunk = this.pending.slice(0, CHUNK);
      const answer = await this.send(chunk);
      if (!answer) return merged;
      this.pending = this.pending.slice(chunk.length);
      merged = {
        accepted: (merged?.accepted ?? 0) + answer.accepted,
        rejected: [...(merged?.rejected ?? []), ...answer.rejected],
        sites: { ...merged?.sites, ...answer.sites },
      };
    }
    return merged;
  }

  /** One chunk; undefined means "keep it and try later" (network error, 5xx, 429). */
  private async send(chunk: AgentResult[]): Promise<AgentPostResponse | undefined> {
    try {
      const res = await this.api(this.url, {
        method: 'POST',
        headers: { ...this.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ results: chunk }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.ok) {
        const answer = (await res.json()) as AgentPostResponse;
        for (const r of answer.rejected)
          this.log.warn({
            event: 'agent.rejected',
            site: chunk[r.index]?.siteId,
            reason: r.reason,
          });
        return answer;
      }
      const error = await res.text();
      this.log.warn({ event: 'agent.post_failed', status: res.status, error });
      // A 4xx will not get better by resending the same chunk: drop it, say so.
      if (res.status < 500 && res.status !== 429) return { accepted: 0, rejected: [], sites: {} };
    } catch (error) {
      this.log.warn({ event: 'agent.post_failed', error: errorMessage(error) });
    }
    return undefined;
  }
}
