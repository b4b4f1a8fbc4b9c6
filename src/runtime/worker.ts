/**
 * The Cloudflare Worker: `fetch` serves the same Hono app as Node (status
 * page, API, badges, feed, agent API) from D1; `scheduled` (a cron trigger,
 * at most once a minute) keeps the work going.
 *
 * Cron alone would poll open canaries once a minute, so every latency bound
 * would be about 60 s wide. So the work runs in one Durable Object, ProbeLoop,
 * which re-arms its alarm for the next due time (about 1 s after a deploy,
 * backing off like Node): the same adaptive polling and error bounds as Node.
 * The cron trigger wakes it every minute, so a lost alarm or a fixed config
 * resumes by itself. Without the PROBE_LOOP binding, the cron runs the cycle
 * itself (cron-only mode: the ~60 s bound, see README).
 */
import { errorMessage } from '../core/deps.js';
import { pruneHistory, runCycle } from './worker-cycle.js';
import type {
  DurableObjectStateLike,
  ExecutionContextLike,
  ScheduledControllerLike,
  WorkerEnv,
} from './worker-env.js';
import { type WorkerRuntime, workerRuntime } from './worker-runtime.js';
import { workerLogger } from './worker-support.js';

/** One loop for the whole deployment: work is serialized, canaries are never requested twice. */
const LOOP_NAME = 'probe-loop';
/** Alarms never fire closer together than this, whatever a site asks for. */
const MIN_ALARM_GAP_MS = 500;
/** Retention runs from the cron trigger once an hour, at this minute. */
const RETENTION_MINUTE = 17;

/** Asks the loop to run now, forgetting `siteId`'s due time (a canary was just requested). */
async function wakeLoop(env: WorkerEnv, siteId?: string): Promise<void> {
  const ns = env.PROBE_LOOP;
  if (!ns) return;
  const query = siteId ? `?site=${encodeURIComponent(siteId)}` : '';
  const res = await ns.get(ns.idFromName(LOOP_NAME)).fetch(`https://probe-loop/wake${query}`, {
    method: 'POST',
  });
  await res.body?.cancel();
}

const runtime = (env: WorkerEnv): Promise<WorkerRuntime> => workerRuntime(env, wakeLoop);

/** The probe loop. Alarms of one object never overlap, so neither do cycles. */
export class ProbeLoop {
  /** Per-site next due time; lost when the object is evicted, which only means one full step. */
  private readonly dueAt = new Map<string, number>();

  constructor(
    private readonly state: DurableObjectStateLike,
    private readonly env: WorkerEnv,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const site = new URL(request.url).searchParams.get('site');
    if (site) this.dueAt.delete(site);
    await this.arm(Date.now());
    return new Response(null, { status: 204 });
  }

  async alarm(): Promise<void> {
    const rt = await runtime(this.env);
    // A bad config is shown on every route; the cron wakes this again once a minute.
    if (!rt.ok) return;
    let next = Date.now() + 60_000;
    try {
      next = (await runCycle({ ...rt.cycle, dueAt: this.dueAt })).nextDueAt;
    } catch (error) {
      rt.cycle.deps.log.error({ event: 'cycle.failed', error: errorMessage(error) });
    }
    await this.arm(Math.max(next, Date.now() + MIN_ALARM_GAP_MS));
  }

  /** Keeps the earlier of the pending alarm and `at`. */
  private async arm(at: number): Promise<void> {
    const current = await this.state.storage.getAlarm();
    if (current === null || at < current) await this.state.storage.setAlarm(at);
  }
}

/** Old observations and history go once an hour, in D1-sized batches. */
async function prune(env: WorkerEnv): Promise<void> {
  const rt = await runtime(env);
  if (!rt.ok) return;
  const deleted = await pruneHistory(rt.cycle.deps, rt.config);
  rt.cycle.deps.log.info({ event: 'retention.done', deleted });
}

/** Cron-only mode: one cycle per cron minute, every site stepped. */
async function cronCycle(env: WorkerEnv): Promise<void> {
  const rt = await runtime(env);
  if (!rt.ok) return;
  await runCycle({ ...rt.cycle, dueAt: new Map() });
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    try {
      return await (await runtime(env)).app.fetch(request, env, ctx as never);
    } catch (error) {
      workerLogger([]).error({ event: 'fetch.failed', error: errorMessage(error) });
      return Response.json({ error: 'internal error' }, { status: 500 });
    }
  },

  async scheduled(
    controller: ScheduledControllerLike,
    env: WorkerEnv,
    ctx: ExecutionContextLike,
  ): Promise<void> {
    const work = [env.PROBE_LOOP ? wakeLoop(env) : cronCycle(env)];
    if (new Date(controller.scheduledTime).getUTCMinutes() === RETENTION_MINUTE)
      work.push(prune(env));
    for (const job of work)
      ctx.waitUntil(
        job.catch((error) =>
          workerLogger([]).error({ event: 'scheduled.failed', error: errorMessage(error) }),
        ),
      );
  },
};
