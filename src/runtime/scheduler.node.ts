/**
 * Node scheduler: one timer per site wakes `stepSite` at the site's next due
 * time; node-cron fires the deploy schedules. Sites never wait on each other.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { requestCanary } from '../core/deploy.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import { registerDeploy } from '../core/external.js';
import type { Canary } from '../core/model.js';
import type { SiteRuntime } from '../core/site.js';
import { stepSite } from '../core/step.js';

interface SiteLoop {
  rt: SiteRuntime;
  timer?: NodeJS.Timeout;
  dueAt: number;
  running?: Promise<void>;
  /** When the running step started (epoch ms), for stuck-step detection. */
  runningSince?: number;
  /** A wake arrived while a step ran: step again right after. */
  again: boolean;
  schedule?: string;
  cronTask?: ScheduledTask;
}

/** After a failed step, retry soon but not in a hot loop. */
const RETRY_AFTER_FAILURE_MS = 5_000;
const LAG_SAMPLES = 10_000;
/** The scheduler's own tick: proof that its timers still fire. Stalled: none for 2 ticks. */
export const TICK_MS = 5_000;
/** A due step this late means timers are not firing (a blocked or starved process). */
const OVERDUE_MS = 15_000;
/** Longer than a deploy (2 min) plus a probe round guard (2 min), with room to spare. */
const STUCK_STEP_MS = 10 * 60_000;

export interface SchedulerOptions {
  /** Every scheduling lag sample (ms), for metrics. */
  onLag?: (lagMs: number) => void;
}

export interface SchedulerHealth {
  ok: boolean;
  reason?: string;
}

export class Scheduler {
  private readonly loops = new Map<string, SiteLoop>();
  private stopped = false;
  private readonly ticker: NodeJS.Timeout;
  /** Scheduling lag samples (ms): how late a step started after it was due. */
  readonly lagMs: number[] = [];
  lastStepAt = 0;
  /** Last time the scheduler's own timer fired (epoch ms). */
  lastTickAt: number;

  constructor(
    private readonly deps: CoreDeps,
    private readonly options: SchedulerOptions = {},
  ) {
    this.lastTickAt = deps.clock.now();
    this.ticker = setInterval(() => {
      this.lastTickAt = this.deps.clock.now();
    }, TICK_MS);
    this.ticker.unref();
    // A site whose deploy found every slot taken steps again as soon as one is given back.
    deps.deploySlots?.onFree((siteId) => this.wake(siteId));
  }

  /** Adds a site; without a schedule it is only probed (watch-only sites). */
  add(rt: SiteRuntime, schedule: string | undefined): void {
    if (this.loops.has(rt.spec.id)) throw new Error(`site ${rt.spec.id} is already scheduled`);
    const loop: SiteLoop = { rt, dueAt: this.deps.clock.now(), again: false };
    this.setSchedule(loop, schedule);
    this.loops.set(rt.spec.id, loop);
    this.arm(loop, loop.dueAt);
  }

  /**
   * Swaps a site's adapters and schedule (config reload). A step already
   * running finishes with the old runtime; the next one uses the new. Open
   * canaries live in the store, so none is lost. Resolves with the old
   * runtime once nothing uses it any more (the caller closes it).
   */
  async replace(rt: SiteRuntime, schedule: string | undefined): Promise<SiteRuntime> {
    const loop = this.loops.get(rt.spec.id);
    if (!loop) throw new Error(`no site ${rt.spec.id}`);
    const old = loop.rt;
    const inFlight = loop.running;
    loop.rt = rt;
    if (schedule !== loop.schedule) this.setSchedule(loop, schedule);
    this.wake(rt.spec.id);
    await inFlight;
    return old;
  }

  /** Stops a site's loop and waits for its running step; its data stays in the store. */
  async remove(siteId: string): Promise<SiteRuntime | undefined> {
    const loop = this.loops.get(siteId);
    if (!loop) return undefined;
    this.loops.delete(siteId);
    clearTimeout(loop.timer);
    this.setSchedule(loop, undefined);
    await loop.running;
    return loop.rt;
  }

  /** Not ok when the tick or a due step is late, or a step hangs: readiness turns 503. */
  health(now = this.deps.clock.now()): SchedulerHealth {
    if (this.stopped) return { ok: false, reason: 'scheduler stopped' };
    const silent = now - this.lastTickAt;
    if (silent > 2 * TICK_MS)
      return { ok: false, reason: `scheduler stalled: no tick for ${Math.round(silent / 1000)} s` };
    for (const [id, loop] of this.loops) {
      if (loop.runningSince !== undefined && now - loop.runningSince > STUCK_STEP_MS)
        return {
          ok: false,
          reason: `site ${id}: step running for ${Math.round((now - loop.runningSince) / 1000)} s`,
        };
      if (loop.runningSince === undefined && now - loop.dueAt > OVERDUE_MS)
        return {
          ok: false,
          reason: `site ${id}: step overdue by ${Math.round((now - loop.dueAt) / 1000)} s`,
        };
    }
    return { ok: true };
  }

  siteIds(): string[] {
    return [...this.loops.keys()];
  }

  /** Next scheduled deploy of a site, for display. */
  nextCanaryAt(siteId: string): number | undefined {
    return this.loops.get(siteId)?.cronTask?.getNextRun()?.getTime();
  }

  /** Persists a canary now and wakes the site (manual deploys, startup). */
  async requestCanary(siteId: string, reason: string): Promise<Canary> {
    const loop = this.loops.get(siteId);
    if (!loop) throw new Error(`no site ${siteId}`);
    const canary = await requestCanary(this.deps, loop.rt.spec, reason);
    this.wake(siteId);
    return canary;
  }

  /** Registers an external deploy and wakes the site so probing starts now. */
  async registerDeploy(
    siteId: string,
    input: { marker: string; deployedAt?: number },
  ): Promise<Canary> {
    const loop = this.loops.get(siteId);
    if (!loop) throw new Error(`no site ${siteId}`);
    const canary = await registerDeploy(this.deps, loop.rt.spec, input);
    this.wake(siteId);
    return canary;
  }

  wake(siteId: string): void {
    const loop = this.loops.get(siteId);
    if (!loop || this.stopped) return;
    if (loop.running) loop.again = true;
    else this.arm(loop, this.deps.clock.now());
  }

  /** Stops timers and cron jobs, then waits for in-flight steps to finish their writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const loop of this.loops.values()) {
      clearTimeout(loop.timer);
      this.setSchedule(loop, undefined);
    }
    await Promise.all([...this.loops.values()].map((l) => l.running));
  }

  private setSchedule(loop: SiteLoop, schedule: string | undefined): void {
    // destroy() only settles a promise for in-flight runs; stopping the task is synchronous.
    void loop.cronTask?.destroy();
    loop.cronTask = undefined;
    loop.schedule = schedule;
    if (!schedule) return;
    loop.cronTask = cron.schedule(schedule, () => void this.scheduledCanary(loop), {
      timezone: 'Etc/UTC',
    });
  }

  private async scheduledCanary(loop: SiteLoop): Promise<void> {
    try {
      await this.requestCanary(loop.rt.spec.id, 'schedule');
    } catch (error) {
      this.deps.log.error({
        event: 'schedule.failed',
        site: loop.rt.spec.id,
        error: errorMessage(error),
      });
    }
  }

  private arm(loop: SiteLoop, dueAt: number): void {
    clearTimeout(loop.timer);
    loop.dueAt = dueAt;
    const delay = Math.max(0, dueAt - this.deps.clock.now());
    loop.timer = setTimeout(() => this.run(loop), delay);
  }

  private run(loop: SiteLoop): void {
    if (this.stopped || loop.running || this.loops.get(loop.rt.spec.id) !== loop) return;
    loop.runningSince = this.deps.clock.now();
    this.recordLag(loop.runningSince - loop.dueAt);
    loop.running = this.step(loop).finally(() => {
      loop.running = undefined;
      loop.runningSince = undefined;
      if (this.stopped || this.loops.get(loop.rt.spec.id) !== loop) return;
      if (loop.again) this.arm(loop, this.deps.clock.now());
      else this.arm(loop, loop.dueAt);
      loop.again = false;
    });
  }

  private async step(loop: SiteLoop): Promise<void> {
    try {
      const result = await stepSite(this.deps, loop.rt);
      loop.dueAt = result.nextDueAt;
    } catch (error) {
      this.deps.log.error({
        event: 'step.failed',
        site: loop.rt.spec.id,
        error: errorMessage(error),
      });
      loop.dueAt = this.deps.clock.now() + RETRY_AFTER_FAILURE_MS;
    }
    this.lastStepAt = this.deps.clock.now();
  }

  private lagCursor = 0;

  /** Ring buffer: the newest LAG_SAMPLES lags, in no particular order. */
  private recordLag(lag: number): void {
    this.lagMs[this.lagCursor % LAG_SAMPLES] = Math.max(0, lag);
    this.lagCursor++;
    this.options.onLag?.(Math.max(0, lag));
  }
}
