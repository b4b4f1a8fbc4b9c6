/**
 * Words for numbers and times on pages, badges and feeds. Times are shown in
 * UTC on the server (the page says so); the client script may localize them.
 */

/** Latency style: "840 ms", "12.4 s", "7 min". */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Age style, coarse on purpose: "45 s", "14 min", "3 h 20 min", "4 days". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 90) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

/** Badge style, as short as possible: "45s", "14m", "3h", "4d". */
export function formatShortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3_600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Badge latency: "840ms", "12.4s", "7m". */
export function formatShortMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 100_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

export function iso(at: number): string {
  return new Date(at).toISOString();
}

/** Statuspage style ISO with milliseconds and Z. */
export const isoOrNull = (at: number | undefined): string | null =>
  at === undefined ? null : iso(at);

/** "09:12" (UTC). */
export function hhmm(at: number): string {
  return iso(at).slice(11, 16);
}

/** "2026-11-26". */
export function isoDay(at: number): string {
  return iso(at).slice(0, 10);
}

/** "09:12" when `at` is on the same UTC day as `now`, else "2026-11-25 09:12". */
export function clock(at: number, now: number): string {
  return isoDay(at) === isoDay(now) ? hhmm(at) : `${isoDay(at)} ${hhmm(at)}`;
}

/** "2026-11-26 09:12:05 UTC". */
export function utcStamp(at: number): string {
  return `${iso(at).slice(0, 19).replace('T', ' ')} UTC`;
}

export function percent(ratio: number, digits = 1): string {
  const p = ratio * 100;
  // 99.96% must not round up to "100.0%": only a perfect ratio reads as 100.
  const shown = ratio < 1 ? Math.min(p, 100 - 10 ** -digits) : p;
  return `${shown.toFixed(digits)}%`;
}

/** Drops user:password from a URL before it is shown anywhere public. */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return raw;
  }
}

/** Nearest-rank percentile of sorted values; Infinity stands for "not within the timeout". */
export function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
