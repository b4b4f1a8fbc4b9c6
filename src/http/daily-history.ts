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
    // New maps (each site's copied once): readers holding the previous ones see a consistent picture.
    const next: DaysBySite = full ? new Map() : new Map(this.rows);
    const copied = new Set<string>();
    for (const r of rows) {
      let days = next.get(r.siteId);
      if (!days || (!full && !copied.has(r.siteId))) {
        days = new Map(days);
        next.set(r.siteId, days);
        copied.add(r.siteId);
      }
      days.set(r.day, r);
    }
    if (full) {
      this.fullAt = now;
      this.fullDay = today;
    }
    this.rows = next;
    return next;
  }
}
