/**
 * A cap on deploys running at once across sites. Every site shares the default schedule, so
 * without it a thousand git sites push in the same minute as a thousand git processes. A
 * site that finds no free slot does not wait for one: it probes as usual, joins a queue, and
 * is woken (first come, first served) when a slot is given back; step.ts also retries it a
 * moment later in case nobody wakes it. A queue of deploys never silences a site's monitoring.
 */
export interface DeploySlots {
  /** Takes a slot if one is free; otherwise queues the site to be woken when one is. */
  tryTake(siteId: string): boolean;
  /** Returns a slot taken by tryTake and wakes the next queued site. */
  give(): void;
  /** Who wakes a queued site (the Node scheduler's `wake`). */
  onFree(wake: (siteId: string) => void): void;
}

export function createDeploySlots(max: number): DeploySlots {
  let inUse = 0;
  const waiting = new Set<string>(); // insertion order: first come, first served
  let wake: ((siteId: string) => void) | undefined;
  return {
    tryTake(siteId) {
      if (inUse < max) {
        inUse++;
        waiting.delete(siteId);
        return true;
      }
      waiting.add(siteId);
      return false;
    },
    give() {
      inUse = Math.max(0, inUse - 1);
      const next = waiting.values().next();
      if (next.done) return;
      waiting.delete(next.value);
      wake?.(next.value);
    },
    onFree(fn) {
      wake = fn;
    },
  };
}
