/**
 * A cap on deploys running at once across sites. Every site shares the default schedule, so
 * without it a thousand git sites push in the same minute as a thousand git processes. A
 * site that finds no free slot does not wait for one: it probes as usual and tries again a
 * moment later (step.ts), so a queue of deploys never silences a site's monitoring.
 */
export interface DeploySlots {
  /** Takes a slot if one is free. */
  tryTake(): boolean;
  /** Returns a slot taken by tryTake. */
  give(): void;
}

export function createDeploySlots(max: number): DeploySlots {
  let inUse = 0;
  return {
    tryTake() {
      if (inUse >= max) return false;
      inUse++;
      return true;
    },
    give() {
      inUse = Math.max(0, inUse - 1);
    },
  };
}
