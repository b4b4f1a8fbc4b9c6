/** UTC buckets for aggregates: days for the status bar, hours for probe counts. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function dayOf(at: number): number {
  return at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
}

export function hourOf(at: number): number {
  return at - (((at % HOUR_MS) + HOUR_MS) % HOUR_MS);
}

/**
 * A site's stable offset within its probe interval (FNV-1a of its id). Sites whose canaries
 * were deployed in the same instant (one shared cron schedule) would otherwise poll in the
 * same millisecond every interval, forever; like Prometheus's scrape offsets, the offset
 * spreads them evenly over the interval.
 */
export function sitePhaseMs(siteId: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < siteId.length; i++) {
    hash ^= siteId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // FNV alone leaves ids that differ in a last digit close together: mix (murmur3's finalizer).
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  hash = (hash ^ (hash >>> 16)) >>> 0;
  return Math.floor((hash / 2 ** 32) * intervalMs);
}

/**
 * The next steady-interval probe after a round that started `from`: the point of the site's
 * grid (its phase + k x interval) nearest to `from + interval`. The first spacing lies between
 * half and one and a half intervals; every later one is exactly the interval.
 */
export function nextSteadyProbe(siteId: string, from: number, intervalMs: number): number {
  const phase = sitePhaseMs(siteId, intervalMs);
  return phase + Math.round((from + intervalMs - phase) / intervalMs) * intervalMs;
}
