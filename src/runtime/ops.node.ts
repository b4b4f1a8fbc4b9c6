/**
 * Glue for operating `serve`: the retention pass the background loop runs,
 * the site states the metrics gauge reads, the monitor view of
 * `GET /api/v1/monitor`, and client addresses for the rate limit.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Config } from '../config.js';
import type { Logger } from '../core/deps.js';
import type { SiteSpec } from '../core/site.js';
import { summarizeSite } from '../core/state.js';
import type { FullStore } from '../core/store.js';
import type { MonitorView } from '../http/ops-routes.js';
import { lastForwardedHop } from '../http/rate-limit.js';
import {
  historyWindowsMs,
  type PragmaRunner,
  pruneExpired,
  reclaimSpace,
  retentionPolicy,
} from '../storage/retention.js';
import { HEARTBEAT_MS } from './heartbeat.node.js';
import type { Metrics } from './metrics.node.js';

/** Between two delete batches: long enough for due probes to run, short enough to finish. */
export const RETENTION_PAUSE_MS = 20;

export interface RetentionDeps {
  store: FullStore;
  sqlite: PragmaRunner;
  config: () => Config;
  now: () => number;
  log: Logger;
  metrics?: Metrics;
  pauseMs?: number;
}

/** One retention pass: prune in batches, then give the freed pages back, then log what went. */
export function retentionPass(deps: RetentionDeps) {
  const pause = () => new Promise<void>((r) => setTimeout(r, deps.pauseMs ?? RETENTION_PAUSE_MS));
  return async (stopped: () => boolean) => {
    const config = deps.config();
    const sites = await deps.store.listSites();
    const policy = retentionPolicy(
      {
        retainObservationsDays: config.storage.retainObservationsDays,
        retainHistoryDays: config.storage.retainHistoryDays,
        windowsMs: historyWindowsMs(config.sites),
        siteIds: sites.map((s) => s.id),
      },
      deps.now(),
    );
    const startedAt = deps.now();
    const deleted = await pruneExpired(deps.store, policy, { pause, stopped });
    for (const [table, n] of Object.entries(deleted)) if (n) deps.metrics?.pruned.inc({ table }, n);
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    const freedPages = total ? await reclaimSpace(deps.sqlite, { pause, stopped }) : 0;
    if (total || freedPages === undefined)
      deps.log.info({
        event: 'retention.done',
        deleted,
        freedPages,
        ...(freedPages === undefined && { hint: 'auto_vacuum is off: VACUUM once offline' }),
        ms: deps.now() - startedAt,
      });
    return deleted;
  };
}

/** Every configured site's current state, from three bulk queries (scrape time). */
export async function siteStates(
  store: FullStore,
  sites: SiteSpec[],
  now: number,
): Promise<Array<{ site: string; state: string }>> {
  const [records, statuses, latest] = await Promise.all([
    store.listSites(),
    store.allVantageStatuses(),
    store.latestCanaries(),
  ]);
  return sites.map((spec) => {
    const summary = summarizeSite({
      now,
      intervalMs: spec.probe.interval,
      paused: Boolean(spec.paused || records.find((r) => r.id === spec.id)?.paused),
      vantages: statuses.filter((v) => v.siteId === spec.id),
      latest: latest.find((c) => c.siteId === spec.id),
    });
    return { site: spec.id, state: summary.state };
  });
}

/** The monitor's own view: read from the store, so any process on the same database can tell. */
export async function monitorView(
  store: FullStore,
  readiness: () => { ready: boolean; reason?: string },
  at: { now: number; since: number; heartbeatMs?: number },
): Promise<MonitorView> {
  const { now, since } = at;
  const [beat, gaps] = await Promise.all([store.getHeartbeat(), store.listGaps(since, now)]);
  const stale = !beat || now - beat.at > 3 * (at.heartbeatMs ?? HEARTBEAT_MS);
  const r = readiness();
  return {
    ...(beat ? { heartbeatAt: beat.at } : {}),
    stale,
    ready: r.ready,
    ...(r.reason ? { reason: r.reason } : {}),
    gaps,
  };
}

/**
 * The client's address for the rate limit: the TCP peer, or behind a
 * trusted reverse proxy the address it appended last to X-Forwarded-For
 * (the leftmost entries are whatever the client claimed).
 */
export function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? lastForwardedHop(c.req.header('x-forwarded-for')) : undefined;
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
