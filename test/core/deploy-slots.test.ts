/**
 * server.maxConcurrentDeploys: with every slot taken a site's deploy waits for a later
 * step, while the site keeps probing (a queue of deploys must never silence monitoring),
 * and the site is woken when a slot is given back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploySlots } from '../../src/core/deploy-slots.js';
import type { Deployer } from '../../src/core/ports.js';
import type { SiteRuntime } from '../../src/core/site.js';
import { stepSite } from '../../src/core/step.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { edge404, minimalSpec, testDeps } from '../helpers/site-spec.js';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('deploy slots', () => {
  it('lets one deploy run at a time and keeps the waiting site probing', async () => {
    db = openSqliteStore(':memory:');
    const now = 1_000_000;
    const deps = testDeps(db.store, () => now, { deploySlots: createDeploySlots(1) });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const deployer: Deployer = {
      kind: 'test',
      deploy: async () => {
        await gate;
        return { startedAt: now, acceptedAt: now };
      },
    };
    const probes = { a: { n: 0 }, b: { n: 0 } };
    const site = (id: 'a' | 'b'): SiteRuntime => ({
      spec: minimalSpec(id, ['edge']),
      probers: [edge404(() => now, probes[id])],
      deployer,
    });
    const [a, b] = [site('a'), site('b')];
    for (const rt of [a, b]) {
      await db.store.upsertSite(rt.spec, now);
      await db.store.createCanary({
        siteId: rt.spec.id,
        token: `${rt.spec.id}-1`,
        intentAt: now,
        reason: 't',
      });
    }

    const woken: string[] = [];
    deps.deploySlots?.onFree((id) => woken.push(id));
    const first = stepSite(deps, a); // takes the only slot and waits in its deploy
    const second = await stepSite(deps, b);
    expect((await db.store.openCanaries('b'))[0]?.state).toBe('pending');
    expect(probes.b.n).toBe(1); // probed all the same
    expect(second.nextDueAt).toBe(now + 1_000); // and comes back soon for its deploy

    release();
    await first;
    expect(woken).toEqual(['b']); // the queued site is woken as the slot comes back
    expect((await db.store.openCanaries('a'))[0]?.state).toBe('propagating');
    await stepSite(deps, b); // the slot is free again
    expect((await db.store.openCanaries('b'))[0]?.state).toBe('propagating');
  });
});
