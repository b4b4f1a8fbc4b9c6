/**
 * Every site's daily rows for the 90-day bars. Reading 90 days of 1,000 sites
 * (90,000 rows) is the status page's most expensive query, and all but the
 * last two days never change, so the whole window is read now and then (and
 * whenever the UTC day turns) and only yesterday and today in between.
 */
import type { DailyFreshness, HistoryStore } from '../core/store.js';
import { DAY_MS, dayOf } from '../core/time.js';
import { firstBarDay } from './status-page/days.js';

export type DaysBySite = Map<string, Map<number, DailyFreshness>>;

export const FULL_RELOAD_MS = 15 * 60_000;

export class DailyHistory {
  private rows: DaysBySite = new Map();
  private fullAt?: number;
  private fullDay?: number;

  constructor(
    private readonly store: Pick<HistoryStore, 'dailyFreshness'>,
    private readonly fullEveryMs = FULL_RELOAD_MS,
  ) {}

  async load(now: number): Promise<DaysBySite> {
    const today = dayOf(now);
    const full =
      this.fullAt === undefined || this.fullDay !== today || now - this.fullAt >= this.fullEveryMs;
    const rows = await this.store.dailyFreshness(full ? firstBarDay(now) : today - DAY_MS);
    // A new map each time: readers holding the previous one see a consistent picture.
    const next: DaysBySite = full ? new Map() : new Map(this.rows);
    for (const r of rows) {
      const days = next.get(r.siteId);
      const copy = full || !days ? (days ?? new Map()) : new Map(days);
      copy.set(r.day, r);
      next.set(r.siteId, copy);
    }
    if (full) {
      this.fullAt = now;
      this.fullDay = today;
    }
    this.rows = next;
    return next;
  }
}
