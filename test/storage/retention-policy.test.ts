/**
 * Retention cutoffs: observations for their configured days; canaries and
 * hourly rows for the history (by default as long as the observations, never
 * shorter than a window that reads them or the 7-day chart); daily rows for
 * the 90-day bar.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config.js';
import {
  DAILY_HISTORY_MS,
  historyWindowsMs,
  type RetentionSettings,
  retentionPolicy,
} from '../../src/storage/retention.js';

const DAY = 86_400_000;
const NOW = 1_000 * DAY;

function keptDays(settings: Omit<RetentionSettings, 'siteIds'>) {
  const p = retentionPolicy({ ...settings, siteIds: [] }, NOW);
  const days = (before: number) => (NOW - before) / DAY;
  return {
    observations: days(p.observationsBefore),
    history: days(p.historyBefore),
    daily: days(p.dailyBefore),
  };
}

describe('retention policy', () => {
  it('by default keeps observations, canaries and hours 30 days and daily rows 90', () => {
    const { config } = parseConfigObject(
      { sites: [{ id: 'a', url: 'https://a.example/', deploy: { kind: 'local-dir', dir: '/x' } }] },
      {},
    );
    expect(config.storage.retainHistoryDays).toBeUndefined();
    expect(
      keptDays({
        retainObservationsDays: config.storage.retainObservationsDays,
        retainHistoryDays: config.storage.retainHistoryDays,
        windowsMs: historyWindowsMs(config.sites),
      }),
    ).toEqual({ observations: 30, history: 30, daily: 90 });
    expect(DAILY_HISTORY_MS).toBe(90 * DAY);
  });

  it('never keeps canaries and hours shorter than an SLO or burn-rate window, or 7 days', () => {
    expect(keptDays({ retainObservationsDays: 7, windowsMs: [28 * DAY] }).history).toBe(28);
    expect(keptDays({ retainObservationsDays: 1, windowsMs: [DAY] }).history).toBe(7);
    const site = {
      slo: { threshold: 1, target: 0.99, window: 14 * DAY },
      alerts: { burnRates: [{ factor: 1, long: 21 * DAY, short: DAY }] },
    };
    const windows = historyWindowsMs([site as Parameters<typeof historyWindowsMs>[0][number]]);
    expect(windows).toEqual([14 * DAY, 21 * DAY]);
    expect(keptDays({ retainObservationsDays: 3, windowsMs: windows }).history).toBe(21);
  });

  it('keeps canaries and hours for storage.retainHistoryDays when set, daily rows at least as long', () => {
    const longer = keptDays({ retainObservationsDays: 30, retainHistoryDays: 365, windowsMs: [] });
    expect(longer).toEqual({ observations: 30, history: 365, daily: 365 });
    const shorter = keptDays({ retainObservationsDays: 30, retainHistoryDays: 10, windowsMs: [] });
    expect(shorter).toEqual({ observations: 30, history: 10, daily: 90 });
  });

  it('rejects a retainHistoryDays below 1', () => {
    const site = { id: 'a', url: 'https://a.example/', deploy: { kind: 'local-dir', dir: '/x' } };
    expect(() =>
      parseConfigObject({ storage: { retainHistoryDays: 0 }, sites: [site] }, {}),
    ).toThrow(/storage\.retainHistoryDays/);
  });
});
