/**
 * The per-site cache in front of SQLite (site-cache.ts) and grouped commits (sqlite.node.ts):
 * what one connection caches must follow writes made through it and commits made by another
 * (`freshprobe canary` next to `serve`), and a write is visible to others once flushed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';

const handles: SqliteHandle[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const h of handles.splice(0)) h.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function twoConnections() {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-cache-'));
  const file = join(dir, 'db.sqlite');
  const serve = openSqliteStore(file);
  const cli = openSqliteStore(file);
  handles.push(serve, cli);
  const site = { id: 'docs', name: 'Docs', url: 'https://docs.example.com/' };
  await serve.store.upsertSite(site, 1);
  serve.flush();
  return { serve, cli };
}

describe('site cache and grouped commits', () => {
  it('sees a canary another connection created once it is committed', async () => {
    const { serve, cli } = await twoConnections();
    expect(await serve.store.openCanaries('docs')).toEqual([]); // now cached
    await cli.store.createCanary({
      siteId: 'docs',
      token: 'a'.repeat(32),
      intentAt: 2,
      reason: 'cli',
    });
    cli.flush();
    await nextTurn(); // the cache checks the other connections' commits once per turn
    expect((await serve.store.openCanaries('docs')).map((c) => c.seq)).toEqual([1]);
  });

  it('keeps its own writes visible to itself, and to others only after the commit', async () => {
    const { serve, cli } = await twoConnections();
    const created = await serve.store.createCanary({
      siteId: 'docs',
      token: 'b'.repeat(32),
      intentAt: 2,
      reason: 'test',
    });
    await serve.store.updateCanary({ ...created, state: 'propagating', deployedAt: 3 });
    expect((await serve.store.latestAcceptedCanary('docs'))?.seq).toBe(1);
    // Grouped: nothing is committed yet (the core flushes a new canary itself, before deploying).
    expect(await cli.store.getCanary('docs', 1)).toBeUndefined();
    serve.flush();
    await nextTurn();
    expect((await cli.store.getCanary('docs', 1))?.state).toBe('propagating');
  });

  it('follows updates through it: open list, newest accepted, ever visible, rule states', async () => {
    const { serve } = await twoConnections();
    const store = serve.store;
    const c = await store.createCanary({
      siteId: 'docs',
      token: 'c'.repeat(32),
      intentAt: 2,
      reason: 't',
    });
    expect(await store.hasVisibleCanary('docs')).toBe(false);
    expect(await store.latestAcceptedCanary('docs')).toBeUndefined();
    const deployed = { ...c, state: 'propagating' as const, deployedAt: 3 };
    await store.updateCanary(deployed);
    expect((await store.openCanaries('docs'))[0]?.state).toBe('propagating');
    expect((await store.latestAcceptedCanary('docs'))?.seq).toBe(1);
    await store.updateCanary({ ...deployed, state: 'visible', visibleAt: 9, closedAt: 9 });
    expect(await store.openCanaries('docs')).toEqual([]);
    expect(await store.hasVisibleCanary('docs')).toBe(true);
    expect((await store.listCanaries('docs', { limit: 5 }))[0]?.state).toBe('visible');

    await store.putAlertState('docs', 'stale', { bad: 1 }, 10);
    const states = await store.alertStates<{ bad: number }>('docs');
    states.get('stale')!.bad = 99; // a caller's copy: the cache must not change with it
    expect(await store.getAlertState('docs', 'stale')).toEqual({ bad: 1 });
  });

  it('follows SLO verdicts through it, as the database has them, as the window slides', async () => {
    const { serve, cli } = await twoConnections();
    const store = serve.store;
    const create = (n: number) =>
      store.createCanary({
        siteId: 'docs',
        token: String(n).repeat(32),
        intentAt: n * 100,
        reason: 't',
      });
    const judged = { state: 'visible' as const, closedAt: 1_000, visibleAt: 1_000 };
    const first = await create(1);
    await store.updateCanary({ ...first, ...judged, deployedAt: 110, withinSlo: true });
    expect(await store.verdictsSince('docs', 0)).toEqual([
      { seq: 1, intentAt: 100, at: 110, good: true },
    ]); // now cached
    const second = await create(2); // a new canary has no verdict yet
    await store.updateCanary({ ...second, state: 'propagating', deployedAt: 210 });
    expect(await store.verdictsSince('docs', 0)).toHaveLength(1);
    await store.updateCanary({ ...second, state: 'timed_out', deployedAt: 210, withinSlo: false });
    const third = await create(3);
    await store.updateCanary({ ...third, state: 'deploy_failed', closedAt: 300 });

    const both = [
      { seq: 1, intentAt: 100, at: 110, good: true },
      { seq: 2, intentAt: 200, at: 210, good: false },
    ];
    expect(await store.verdictsSince('docs', 0)).toEqual(both);
    expect(await store.verdictsSince('docs', 150)).toEqual(both.slice(1)); // slid forward
    expect(await store.verdictsSince('docs', 0)).toEqual(both); // reaches back: read again
    const shared = (await store.verdictsSince('docs', 0)) as unknown[];
    expect(() => shared.pop()).toThrow(TypeError); // handed out uncopied, so frozen
    serve.flush();
    await nextTurn();
    expect(await cli.store.verdictsSince('docs', 0)).toEqual(both); // what the database holds
  });
});
