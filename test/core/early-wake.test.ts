/**
 * A timer may fire a millisecond before the instant it was armed for. Such a wake-up must
 * still probe the canary that is due, and a step that does not probe must not push the
 * canary's next poll further out (it once did: a whole poll interval was lost and the
 * latency bound doubled).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteRuntime } from '../../src/core/site.js';
import { stepSite } from '../../src/core/step.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { edge404, minimalSpec, testDeps } from '../helpers/site-spec.js';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('a step woken a little early', () => {
  it('still probes the due canary, and a probe-less step keeps the next poll', async () => {
    db = openSqliteStore(':memory:');
    let now = 1_000_000;
    const probes = { n: 0 };
    const edge = edge404(() => now, probes);
    const deps = testDeps(db.store, () => now);
    const rt: SiteRuntime = {
      spec: minimalSpec('s', ['edge']),
      probers: [edge],
      deployer: { kind: 'test', deploy: async () => ({ startedAt: now, acceptedAt: now }) },
    };
    await db.store.upsertSite(rt.spec, now);
    await db.store.createCanary({ siteId: 's', token: 't1', intentAt: now, reason: 'test' });
    await stepSite(deps, rt); // deploys and probes once
    const due = (await db.store.openCanaries('s'))[0]!.nextProbeAt!;
    expect(probes.n).toBe(1);

    now = due - 1; // the timer fired a millisecond early
    await stepSite(deps, rt);
    expect(probes.n).toBe(2);

    // A step long before the next poll probes nothing and leaves that poll where it was.
    const next = (await db.store.openCanaries('s'))[0]!.nextProbeAt!;
    now = next - 500;
    await stepSite(deps, rt);
    expect(probes.n).toBe(2);
    expect((await db.store.openCanaries('s'))[0]!.nextProbeAt).toBe(next);
  });
});
