/**
 * The 90-day freshness bar as data: one cell per UTC day with the share of
 * canaries visible within the SLO. A day without a verdict is "no data",
 * never green; the bar's text alternative counts days by class.
 */
import type { DailyFreshness } from '../../core/store.js';
import { DAY_MS, dayOf } from '../../core/time.js';
import { formatMs, isoDay, percent } from '../format.js';

/** The status bar: today and the 89 UTC days before it. */
export const BAR_DAYS = 90;

export function firstBarDay(now: number): number {
  return dayOf(now) - (BAR_DAYS - 1) * DAY_MS;
}

/** g4 all within SLO, g3 at least 95%, g2 at least 75%, g1 at least 50%, g0 below, nd no data. */
export type CellClass = 'g4' | 'g3' | 'g2' | 'g1' | 'g0' | 'nd';

export interface DayCell {
  day: number;
  cls: CellClass;
  row?: DailyFreshness;
}

export function cellClass(row: DailyFreshness | undefined): CellClass {
  if (!row || row.canaries === 0) return 'nd';
  const share = row.withinSlo / row.canaries;
  if (share >= 1) return 'g4';
  if (share >= 0.95) return 'g3';
  if (share >= 0.75) return 'g2';
  if (share >= 0.5) return 'g1';
  return 'g0';
}

/** The tooltip: "2026-11-03: 47 of 48 canaries visible within 5 min (97.9%)". */
export function cellTitle({ day, row }: DayCell, thresholdMs: number): string {
  const date = isoDay(day);
  const failed = row?.deployFailed ? `, ${row.deployFailed} deploys failed` : '';
  if (!row || row.canaries === 0) return `${date}: no data${failed}`;
  const share = percent(row.withinSlo / row.canaries);
  const late = row.timedOut ? `, ${row.timedOut} never visible` : '';
  return `${date}: ${row.withinSlo} of ${row.canaries} canaries visible within ${formatMs(thresholdMs)} (${share})${late}${failed}`;
}

/** Titles are built only where shown (inline bars): a thousand image bars need none. */
export function dayCells(byDay: Map<number, DailyFreshness> | undefined, now: number): DayCell[] {
  const first = firstBarDay(now);
  const cells: DayCell[] = [];
  for (let i = 0; i < BAR_DAYS; i++) {
    const day = first + i * DAY_MS;
    const row = byDay?.get(day);
    cells.push(row ? { day, cls: cellClass(row), row } : { day, cls: 'nd' });
  }
  return cells;
}

/** "90 days: 85 met the SLO, 3 below, 2 no data; worst 2026-11-03 (93.8%)". */
export function barSummary(cells: DayCell[]): string {
  let perfect = 0;
  let below = 0;
  let none = 0;
  let worst: DayCell | undefined;
  for (const c of cells) {
    if (c.cls === 'nd') none++;
    else if (c.cls === 'g4') perfect++;
    else {
      below++;
      const share = (x: DayCell) => x.row!.withinSlo / x.row!.canaries;
      if (!worst || share(c) < share(worst)) worst = c;
    }
  }
  const tail = worst
    ? `; worst ${isoDay(worst.day)} (${percent(worst.row!.withinSlo / worst.row!.canaries)})`
    : '';
  return `${cells.length} days: ${perfect} met the SLO, ${below} below, ${none} no data${tail}`;
}

/** A site's bar, computed once per history refresh and shared by every page that shows it. */
export interface Bar {
  cells: DayCell[];
  /** The text alternative. */
  summary: string;
}

export function makeBar(byDay: Map<number, DailyFreshness> | undefined, now: number): Bar {
  const cells = dayCells(byDay, now);
  return { cells, summary: barSummary(cells) };
}
