import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../src/core/alerts/conditions.js';
import { evaluateCondition } from '../../src/core/alerts/evaluate.js';
import type { IncidentContext } from '../../src/core/alerts/incidents.js';
import { type CoreDeps, silentLogger } from '../../src/core/deps.js';
import { DEFAULT_ALERTS, type SiteSpec } from '../../src/core/site.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';

let db: SqliteHandle;
let now = 0;
let deps: CoreDeps;
const spec: SiteSpec = {
  id: 'docs',
  name: 'Docs',
  url: 'https://docs.example.com/',
  canary: { path: '/freshprobe/canary.json', format: 'json' },
  probe: { vantages: ['edge'], interval: 60_000 },
  timeout: 1_800_000,
  slo: { threshold: 300_000, target: 0.99, window: 2_419_200_000 },
  notify: ['ops', 'pager'],
  alerts: { ...DEFAULT_ALERTS, failureThreshold: 2, recoveryThreshold: 2, repeatEvery: 600_000 },
};
const missing = (holds: boolean): Condition => ({
  cause: 'missing',
  holds,
  vantages: holds ? ['edge'] : [],
  immediate: false,
});
const ctx = (): IncidentContext => ({
  spec,
  now,
  summary: {
    state: 'missing',
    since: 0,
    vantages: [
      { siteId: 'docs', vantage: 'edge', state: 'missing', since: 0, lastObservedAt: now },
    ],
    affected: ['edge'],
  },
});

beforeEach(async () => {
  db = openSqliteStore(':memory:');
  deps = { store: db.store, clock: { now: () => now }, log: silentLogger, newToken: () => 'x' };
  await db.store.upsertSite(spec, 0);
});
afterEach(() => db.close());

async function step(holds: boolean, at: number) {
  now = at;
  await evaluateCondition(deps, missing(holds), ctx());
}

describe('alert state machine', () => {
  it('opens after the failure threshold, repeats, resolves after the recovery threshold', async () => {
    await step(true, 1_000);
    expect(await db.store.openIncidents('docs')).toHaveLength(0); // one flap does not page
    await step(false, 2_000);
    await step(true, 3_000);
    await step(true, 4_000);
    const [incident] = await db.store.openIncidents('docs');
    expect(incident).toMatchObject({ cause: 'missing', openedAt: 4_000, impact: 'major_outage' });
    await step(true, 4_000 + 600_000); // repeat due
    await step(true, 4_000 + 700_000);
    await step(false, 800_000);
    expect(await db.store.openIncidents('docs')).toHaveLength(1); // one good round is not recovery
    await step(false, 860_000);
    expect(await db.store.openIncidents('docs')).toHaveLength(0);
    const done = await db.store.getIncident(incident!.id);
    expect(done?.timeline.map((e) => e.kind)).toEqual(['opened', 'recovered', 'resolved']);
    expect(done?.timeline[1]?.at).toBe(800_000);
    const sent = (await db.store.listNotifications({ limit: 20 }))
      .map((n) => `${n.kind}:${n.notifierId}`)
      .sort();
    expect(sent).toEqual([
      'firing:ops',
      'firing:pager',
      'repeat:ops',
      'repeat:pager',
      'resolved:ops',
      'resolved:pager',
    ]);
  });

  it('opens at once for an immediate condition and never twice for the same cause', async () => {
    const stale: Condition = {
      cause: 'stale',
      holds: true,
      vantages: ['edge'],
      immediate: true,
      detail: 'canary #3',
    };
    now = 10;
    await evaluateCondition(deps, stale, ctx());
    now = 20;
    await evaluateCondition(deps, stale, ctx());
    expect(await db.store.openIncidents('docs')).toHaveLength(1);
    expect(
      (await db.store.listNotifications({ limit: 10 })).filter((n) => n.kind === 'firing'),
    ).toHaveLength(2);
  });

  it('writes no rule state while a site stays healthy', async () => {
    let writes = 0;
    const put = db.store.putAlertState.bind(db.store);
    deps = {
      ...deps,
      store: {
        ...db.store,
        putAlertState: (...a) => {
          writes++;
          return put(...a);
        },
      },
    };
    for (let i = 1; i <= 10; i++) await step(false, i * 1_000);
    // The first rounds build the good streak up to the recovery threshold; after that nothing changes.
    expect(writes).toBe(2);
  });
});
