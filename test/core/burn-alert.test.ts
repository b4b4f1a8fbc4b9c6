/**
 * Burn-rate alerting through the real store: the verdicts it counts come from the site cache,
 * so a canary judged after the first read must still be counted, and the minimum-events guard
 * must hold until it is.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { evaluateSiteAlerts } from '../../src/core/alerts/site-alerts.js';
import type { CoreDeps } from '../../src/core/deps.js';
import { DEFAULT_ALERTS, type SiteRuntime } from '../../src/core/site.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { minimalSpec, testDeps } from '../helpers/site-spec.js';

const MINUTE = 60_000;
let db: SqliteHandle;
let now = 10 * 3_600_000;
let deps: CoreDeps;
const rt: SiteRuntime = {
  spec: { ...minimalSpec('docs', ['edge']), alerts: DEFAULT_ALERTS },
  probers: [],
};

beforeEach(async () => {
  db = openSqliteStore(':memory:');
  deps = testDeps(db.store, () => now);
  await db.store.upsertSite(rt.spec, 0);
  await db.store.upsertVantageStatus({
    siteId: 'docs',
    vantage: 'edge',
    state: 'fresh',
    since: 0,
    lastObservedAt: now,
  });
});
afterEach(() => db.close());

/** A canary deployed `ago` before now that missed the SLO (timed out). */
async function missedSlo(seq: number, ago: number) {
  const c = await db.store.createCanary({
    siteId: 'docs',
    token: `t${seq}`.padEnd(32, '0'),
    intentAt: now - ago - 1_000,
    reason: 'schedule',
  });
  await db.store.updateCanary({
    ...c,
    state: 'timed_out',
    deployedAt: now - ago,
    closedAt: now - ago + 600_000,
    withinSlo: false,
  });
}

async function evaluateTwice() {
  for (const step of [0, 1_000]) {
    now += step;
    await evaluateSiteAlerts(deps, rt);
  }
}

const burnIncidents = async () =>
  (await db.store.openIncidents('docs')).filter((i) => i.cause === 'slo_burn');

it('waits for enough verdicts, then fires on a judgement made after the first read', async () => {
  for (const [seq, ago] of [
    [1, 50],
    [2, 40],
    [3, 30],
    [4, 20],
  ] as const)
    await missedSlo(seq, ago * MINUTE);
  await evaluateTwice();
  expect(await burnIncidents()).toEqual([]); // 4 events: below minEvents (5)

  await missedSlo(5, 2 * MINUTE); // judged now, through the cache alerting has already filled
  await evaluateTwice();
  const [incident] = await burnIncidents();
  expect(incident?.title).toMatch(/burn/i);
});
