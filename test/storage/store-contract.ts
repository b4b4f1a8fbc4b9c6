/**
 * The Store contract, written once and run against every implementation
 * (better-sqlite3 now; D1 through vitest-pool-workers later).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage, Canary, Incident, Observation } from '../../src/core/model.js';
import type { FullStore, OutboxEntry } from '../../src/core/store.js';

export function storeContract(name: string, open: () => Promise<FullStore>): void {
  describe(`Store contract: ${name}`, () => {
    let store: FullStore;
    beforeEach(async () => {
      store = await open();
      await store.upsertSite({ id: 'docs', name: 'Docs', url: 'https://docs.example.com/' }, 1_000);
    });

    const create = (token: string, intentAt = 2_000) =>
      store.createCanary({ siteId: 'docs', token, intentAt, reason: 'schedule' });

    it('allocates seqs 1, 2, 3 per site, and a replayed token returns the same canary', async () => {
      expect((await create('a')).seq).toBe(1);
      expect((await create('b')).seq).toBe(2);
      expect((await create('a')).seq).toBe(1);
      await store.upsertSite({ id: 'blog', name: 'Blog', url: 'https://blog.example.com/' }, 1_000);
      expect(
        (await store.createCanary({ siteId: 'blog', token: 'c', intentAt: 1, reason: 'x' })).seq,
      ).toBe(1);
    });

    it('never duplicates or skips a seq under concurrent creation', async () => {
      const made = await Promise.all(Array.from({ length: 50 }, (_, i) => create(`t${i}`)));
      expect(made.map((c) => c.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it('round-trips every mutable canary field', async () => {
      const c = await create('a');
      const updated: Canary = {
        ...c,
        state: 'visible',
        deployStartedAt: 2_100,
        deployedAt: 2_200,
        deployDetail: 'abc123',
        visibleAt: 5_000,
        latencyMs: 2_800,
        latencyBoundsMs: [1_800, 2_900],
        withinSlo: true,
        closedAt: 5_100,
        vantages: { edge: { vantage: 'edge', lastMissAt: 4_000, visibleAt: 5_000 } },
        kind: 'canary',
        phases: [{ name: 'accepted', at: 2_200, detail: 'abc123' }],
        deployOutput: 'done',
      };
      await store.updateCanary(updated);
      expect(await store.getCanary('docs', c.seq)).toEqual(updated);
      expect(await store.openCanaries('docs')).toEqual([]);
      expect(await store.hasVisibleCanary('docs')).toBe(true);
    });

    it('finds open, newest accepted and first accepted after a seq', async () => {
      for (const t of ['a', 'b', 'c', 'd']) await create(t);
      const accept = async (seq: number, at: number) => {
        const c = (await store.getCanary('docs', seq))!;
        await store.updateCanary({ ...c, state: 'propagating', deployedAt: at });
      };
      await accept(1, 10);
      await accept(2, 20);
      await accept(4, 40);
      expect((await store.openCanaries('docs')).map((c) => c.seq)).toEqual([1, 2, 3, 4]);
      expect((await store.latestAcceptedCanary('docs'))?.seq).toBe(4);
      expect((await store.firstAcceptedAfter('docs', 2))?.seq).toBe(4);
      expect(await store.firstAcceptedAfter('docs', 4)).toBeUndefined();
      expect((await store.listCanaries('docs', { limit: 2 })).map((c) => c.seq)).toEqual([4, 3]);
      expect(
        (await store.listCanaries('docs', { limit: 10, beforeSeq: 3 })).map((c) => c.seq),
      ).toEqual([2, 1]);
    });

    it('stores an observation once, however often it is written, and filters reads', async () => {
      const o: Observation = {
        siteId: 'docs',
        vantage: 'edge',
        startedAt: 3_000,
        durationMs: 12,
        status: 200,
        seqSeen: 1,
        state: 'fresh',
        canarySeq: 1,
        cache: { age: 3, cacheStatus: 'hit', pop: 'FRA', etag: '"x"' },
      };
      await store.recordObservation(o);
      await store.recordObservation(o);
      await store.recordObservation({ ...o, vantage: 'origin', cache: {} });
      await store.recordObservation({ ...o, startedAt: 4_000, state: 'stale', stalenessMs: 9 });
      expect(await store.listObservations('docs', { limit: 10, vantage: 'edge' })).toHaveLength(2);
      const all = await store.listObservations('docs', { limit: 10 });
      expect(all.map((x) => x.startedAt)).toEqual([4_000, 3_000, 3_000]);
      expect(all[1]).toEqual(o);
      expect(await store.listObservations('docs', { limit: 10, before: 4_000 })).toHaveLength(2);
    });

    it('upserts vantage status and keeps paused across site updates', async () => {
      const status = {
        siteId: 'docs',
        vantage: 'edge',
        state: 'fresh' as const,
        since: 1,
        lastObservedAt: 2,
        seqSeen: 1,
      };
      await store.upsertVantageStatus(status);
      await store.upsertVantageStatus({
        ...status,
        state: 'stale',
        since: 5,
        lastObservedAt: 6,
        stalenessMs: 4,
      });
      expect(await store.vantageStatuses('docs')).toEqual([
        {
          siteId: 'docs',
          vantage: 'edge',
          state: 'stale',
          since: 5,
          lastObservedAt: 6,
          seqSeen: 1,
          stalenessMs: 4,
        },
      ]);
      await store.upsertVantageStatus({ ...status, vantage: 'node:10.0.0.9' });
      await store.removeVantageStatus('docs', 'node:10.0.0.9');
      expect((await store.vantageStatuses('docs')).map((v) => v.vantage)).toEqual(['edge']);
      await store.setPaused('docs', true);
      await store.upsertSite(
        { id: 'docs', name: 'Docs 2', url: 'https://docs.example.com/' },
        9_999,
      );
      expect(await store.getSite('docs')).toMatchObject({
        name: 'Docs 2',
        paused: true,
        createdAt: 1_000,
      });
    });

    it('recounts a day of canaries idempotently', async () => {
      const day = Date.UTC(2026, 10, 26);
      const a = await create('a', day + 1_000);
      const b = await create('b', day + 2_000);
      const c = await create('c', day + 3_000);
      await store.updateCanary({
        ...a,
        state: 'visible',
        deployedAt: day + 1_100,
        latencyMs: 4_000,
        withinSlo: true,
      });
      await store.updateCanary({
        ...b,
        state: 'timed_out',
        deployedAt: day + 2_100,
        withinSlo: false,
      });
      await store.updateCanary({ ...c, state: 'deploy_failed' });
      await store.recomputeDay('docs', day);
      await store.recomputeDay('docs', day);
      expect(await store.dailyFreshness(day, 'docs')).toEqual([
        {
          siteId: 'docs',
          day,
          canaries: 2,
          withinSlo: 1,
          visible: 1,
          timedOut: 1,
          deployFailed: 1,
          latencySumMs: 4_000,
          latencyMaxMs: 4_000,
        },
      ]);
      expect((await store.canariesSince('docs', day + 1_500)).map((x) => x.seq)).toEqual([2, 3]);
      // Only judged canaries are SLO events; a failed deploy is not one.
      expect(await store.verdictsSince('docs', day)).toEqual([
        { seq: 1, intentAt: day + 1_000, at: day + 1_100, good: true },
        { seq: 2, intentAt: day + 2_000, at: day + 2_100, good: false },
      ]);
    });

    it('counts each probe once into its hour, however often it is replayed', async () => {
      const hour = Date.UTC(2026, 10, 26, 10);
      const o: Observation = {
        siteId: 'docs',
        vantage: 'edge',
        startedAt: hour + 5,
        durationMs: 30,
        state: 'fresh',
        cache: {},
      };
      await store.countProbe(o);
      await store.countProbe(o);
      await store.countProbe({ ...o, startedAt: hour + 65_000, durationMs: 50, state: 'missing' });
      const [row] = await store.hourlyVantage('docs', hour);
      expect(row).toMatchObject({
        total: 2,
        fresh: 1,
        missing: 1,
        durationSumMs: 80,
        durationMaxMs: 50,
      });
    });

    it('stores incidents whole and lists open ones', async () => {
      const incident: Incident = {
        id: 'docs:stale:10',
        siteId: 'docs',
        cause: 'stale',
        state: 'open',
        impact: 'partial_outage',
        openedAt: 10,
        title: 'Stale: 1 of 5 nodes',
        summary: 'what to do',
        vantages: ['node:127.0.0.4'],
        timeline: [{ at: 10, kind: 'opened', message: 'opened' }],
      };
      await store.putIncident(incident);
      await store.putIncident({ ...incident, acknowledgedAt: 20, acknowledgedBy: 'ops' });
      expect(await store.openIncidents('docs')).toEqual([
        { ...incident, acknowledgedAt: 20, acknowledgedBy: 'ops' },
      ]);
      await store.putIncident({ ...incident, state: 'resolved', resolvedAt: 30 });
      expect(await store.openIncidents()).toEqual([]);
      expect((await store.listIncidents({ limit: 5 }))[0]?.resolvedAt).toBe(30);
    });

    it('reads every site, the newest canary per site and every vantage status at once', async () => {
      await store.upsertSite({ id: 'blog', name: 'Blog', url: 'https://blog.example.com/' }, 1_000);
      await create('a');
      await create('b');
      await store.createCanary({ siteId: 'blog', token: 'c', intentAt: 3_000, reason: 'x' });
      const status = { state: 'fresh' as const, since: 1, lastObservedAt: 2 };
      await store.upsertVantageStatus({ siteId: 'docs', vantage: 'origin', ...status });
      await store.upsertVantageStatus({ siteId: 'docs', vantage: 'edge', ...status });
      await store.upsertVantageStatus({ siteId: 'blog', vantage: 'edge', ...status });
      expect((await store.listSites()).map((s) => s.id)).toEqual(['blog', 'docs']);
      expect((await store.latestCanaries()).map((c) => [c.siteId, c.seq, c.token])).toEqual([
        ['blog', 1, 'c'],
        ['docs', 2, 'b'],
      ]);
      expect((await store.allVantageStatuses()).map((v) => `${v.siteId}/${v.vantage}`)).toEqual([
        'blog/edge',
        'docs/edge',
        'docs/origin',
      ]);
      await store.recomputeDay('docs', 0);
      await store.recomputeDay('blog', 0);
      const days = await store.dailyFreshness(0);
      expect(days.map((d) => [d.siteId, d.day, d.canaries, d.latencyMaxMs])).toEqual([
        ['blog', 0, 0, undefined],
        ['docs', 0, 0, undefined],
      ]);
      expect('latencyMaxMs' in days[0]!).toBe(false);
    });

    it('keeps outbox entries once, due in creation order', async () => {
      const message = { kind: 'firing' } as AlertMessage;
      const entry = (id: string, createdAt: number): OutboxEntry => ({
        id,
        notifierId: 'ops',
        incidentId: 'i',
        kind: 'firing',
        message,
        status: 'pending',
        attempts: 0,
        createdAt,
        nextAttemptAt: createdAt,
      });
      await store.enqueueNotification(entry('b', 2));
      await store.enqueueNotification(entry('a', 1));
      await store.enqueueNotification({ ...entry('a', 1), attempts: 9 });
      expect((await store.dueNotifications(5, 10)).map((e) => [e.id, e.attempts])).toEqual([
        ['a', 0],
        ['b', 0],
      ]);
      await store.updateNotification({ ...entry('a', 1), status: 'sent', sentAt: 3, attempts: 1 });
      expect((await store.dueNotifications(5, 10)).map((e) => e.id)).toEqual(['b']);
      await store.putAlertState('docs', 'stale', { failures: 2 }, 5);
      expect(await store.getAlertState('docs', 'stale')).toEqual({ failures: 2 });
      await store.putAlertState('docs', 'stale', { failures: 3 }, 6);
      await store.putAlertState('docs', 'missing', { failures: 0 }, 6);
      await store.putAlertState('blog', 'stale', { failures: 9 }, 6);
      expect(await store.alertStates('docs')).toEqual(
        new Map([
          ['missing', { failures: 0 }],
          ['stale', { failures: 3 }],
        ]),
      );
      expect(await store.alertStates('none')).toEqual(new Map());
    });
  });
}
