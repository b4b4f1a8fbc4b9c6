/**
 * Drives one canary to its verdict by stepping its site: what `freshprobe
 * canary` and scenario tests do when no scheduler runs.
 */
import type { CoreDeps } from './deps.js';
import { type Canary, isOpen } from './model.js';
import type { SiteRuntime } from './site.js';
import { stepSite } from './step.js';

export async function driveCanary(
  deps: CoreDeps,
  rt: SiteRuntime,
  seq: number,
  onProgress: (canary: Canary) => void = () => {},
): Promise<Canary> {
  for (;;) {
    const step = await stepSite(deps, rt);
    const canary = await deps.store.getCanary(rt.spec.id, seq);
    if (!canary) throw new Error(`canary ${rt.spec.id} #${seq} is gone`);
    onProgress(canary);
    if (!isOpen(canary)) return canary;
    const wakeAt = Math.min(step.nextDueAt, canary.nextProbeAt ?? step.nextDueAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wakeAt - deps.clock.now())));
  }
}
