/** UTC buckets for aggregates: days for the status bar, hours for probe counts. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function dayOf(at: number): number {
  return at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
}

export function hourOf(at: number): number {
  return at - (((at % HOUR_MS) + HOUR_MS) % HOUR_MS);
}
