/**
 * A node that leaves the fleet (DNS no longer lists it) must not stay behind
 * as a status that turns no_data and greys out the whole site.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newToken } from '../../src/core/canary.js';
import { type CoreDeps, silentLogger } from '../../src/core/deps.js';
import type { ProbeResult } from '../../src/core/model.js';
import type { Prober } from '../../src/core/ports.js';
import { probeRound } from '../../src/core/round.js';
import type { SiteRuntime } from '../../src/core/site.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { minimalSpec } from '../helpers/site-spec.js';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

/** The fleet as a resolver would see it right now; each node answers 404 (no canary yet). */
function fleet(nodes: () => string[]): Prober {
  return {
    kind: 'nodes',
    probe: async () =>
      nodes().map(
        (ip): ProbeResult => ({
          vantage: `node:${ip}`,
          startedAt: Date.now(),
          durationMs: 1,
          status: 404,
          cache: {},
        }),
      ),
  };
}

describe('vanished vantages', () => {
  it('forgets a node that is no longer in the fleet, keeps remote vantages', async () => {
    db = openSqliteStore(':memory:');
    const deps: CoreDeps = {
      store: db.store,
      clock: { now: () => Date.now() },
      log: silentLogger,
      newToken,
    };
    let nodes = ['10.0.0.1', '10.0.0.2'];
    const rt: SiteRuntime = {
      spec: minimalSpec('s', ['nodes']),
      probers: [fleet(() => nodes)],
    };
    await db.store.upsertSite(rt.spec, 0);
    await db.store.upsertVantageStatus({
      siteId: 's',
      vantage: 'agent:fra',
      state: 'fresh',
      since: 0,
      lastObservedAt: 0,
    });
    await probeRound(deps, rt, []);
    nodes = ['10.0.0.1'];
    await probeRound(deps, rt, []);
    expect((await db.store.vantageStatuses('s')).map((v) => v.vantage)).toEqual([
      'agent:fra',
      'node:10.0.0.1',
    ]);
  });
});
