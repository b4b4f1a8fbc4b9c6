/**
 * Node scheduler: one timer per site wakes `stepSite` at the site's next due
 * time; node-cron fires the deploy schedules. Sites never wait on each other.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { requestCanary } from '../core/deploy.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { Canary } from '../core/model.js';
import type { SiteRuntime } from '../core/site.js';
import { stepSite } from '../core/step.js';

interface SiteLoop {
  rt: SiteRuntime;
  timer?: NodeJS.Timeout;
  dueAt: number;
  running?: Promise<void>;
  /** A wake arrived while a step ran: step again right after. */
  again: boolean;
  cronTask?: ScheduledTask;
}

/** After a failed step, retry soon but not in a hot loop. */
const RETRY_AFTER_FAILURE_MS = 5_000;
const LAG_SAMPLES = 10_000;

export class Scheduler {
  private readonly loops = new Map<string, SiteLoop>();
  private stopped = false;
  /** Scheduling lag samples (ms): how late a step started after it was due. */
  readonly lagMs: number[] = [];
  lastStepAt = 0;

  constructor(private readonly deps: CoreDeps) {}

  /** Adds a site; without a schedule it is only probed (watch-only sites). */
  add(rt: SiteRuntime, schedule: string | undefined): void {
    const loop: SiteLoop = { rt, dueAt: this.deps.clock.now(), again: false };
    if (schedule) {
      loop.cronTask = cron.schedule(schedule, () => void this.scheduledCanary(loop), {
        timezone: 'Etc/UTC',
      });
    }
    this.loops.set(rt.spec.id, loop);
    this.arm(loop, loop.dueAt);
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

  wake(siteId: string): void {
    const loop = this.loops.get(siteId);
    if (!loop || this.stopped) return;
    if (loop.running) loop.again = true;
    else this.arm(loop, this.deps.clock.now());
  }

  /** Stops timers and cron jobs, then waits for in-flight steps to finish their writes. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const loop of this.loops.values()) {
      clearTimeout(loop.timer);
      await loop.cronTask?.destroy();
    }
    await Promise.all([...this.loops.values()].map((l) => l.running));
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
    if (this.stopped || loop.running) return;
    this.recordLag(this.deps.clock.now() - loop.dueAt);
    loop.running = this.step(loop).finally(() => {
      loop.running = undefined;
      if (this.stopped) return;
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
  }
}
