/**
 * Contract of the OpsStore half of the store (heartbeat, gaps, retention
 * batches), written once for every implementation (better-sqlite3 here, D1
 * where a Workers runner exists): `opsStoreContract(name, open)`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../src/core/model.js';
import type { FullStore, OutboxEntry } from '../../src/core/store.js';

const DAY = 86_400_000;

export function opsStoreContract(name: string, open: () => Promise<FullStore>): void {
  describe(`ops store contract: ${name}`, () => {
    let store: FullStore;
    beforeEach(async () => {
      store = await open();
    });

    it('keeps one heartbeat, the newest', async () => {
      expect(await store.getHeartbeat()).toBeUndefined();
      await store.putHeartbeat({ at: 1, processStartedAt: 0, pid: 7 });
      await store.putHeartbeat({ at: 2, processStartedAt: 0, pid: 7 });
      expect(await store.getHeartbeat()).toEqual({ at: 2, processStartedAt: 0, pid: 7 });
    });

    it('records a gap once and lists those overlapping a window', async () => {
      await store.recordGap({ kind: 'pause', startedAt: 10, endedAt: 20, detail: 'x' });
      await store.recordGap({ kind: 'pause', startedAt: 10, endedAt: 25 });
      await store.recordGap({ kind: 'down', startedAt: 100, endedAt: 200 });
      expect(await store.listGaps(0)).toEqual([
        { kind: 'pause', startedAt: 10, endedAt: 25, detail: 'x' },
        { kind: 'down', startedAt: 100, endedAt: 200 },
      ]);
      expect((await store.listGaps(30, 150)).map((g) => g.kind)).toEqual(['down']);
      expect(await store.listGaps(300)).toEqual([]);
    });

    it('prunes closed canaries in batches but keeps open ones and each site newest', async () => {
      await store.upsertSite({ id: 'a', name: 'a', url: 'https://a.example/' }, 0);
      for (let i = 0; i < 5; i++) {
        const c = await store.createCanary({
          siteId: 'a',
          token: `t${i}`,
          intentAt: i,
          reason: 'x',
        });
        if (i !== 3) await store.updateCanary({ ...c, state: 'visible', closedAt: i + 1 });
      }
      expect(await store.pruneBatch('canaries', 1_000, 2, 'a')).toBe(2);
      expect(await store.pruneBatch('canaries', 1_000, 2, 'a')).toBe(1);
      expect(await store.pruneBatch('canaries', 1_000, 2, 'a')).toBe(0);
      const left = await store.listCanaries('a', { limit: 10 });
      expect(left.map((c) => c.seq)).toEqual([5, 4]); // the newest, and the open one
      const next = await store.createCanary({
        siteId: 'a',
        token: 'later',
        intentAt: 9,
        reason: 'x',
      });
      expect(next.seq).toBe(6); // seqs never restart
    });

    it('prunes observations, aggregates, sent notifications and gaps by age', async () => {
      const old = 10 * DAY;
      const obs = (startedAt: number, vantage = 'edge') => ({
        siteId: 'a',
        vantage,
        startedAt,
        durationMs: 5,
        state: 'fresh' as const,
        cache: {},
      });
      for (const at of [1, 2, 3, old + 1]) {
        await store.recordObservation(obs(at));
        await store.countProbe(obs(at * 3_600_000, 'origin'));
      }
      await store.recordGap({ kind: 'down', startedAt: 1, endedAt: 2 });
      const entry = (id: string, status: OutboxEntry['status']): OutboxEntry => ({
        id,
        notifierId: 'ops',
        incidentId: 'i',
        kind: 'firing',
        message: { kind: 'firing' } as AlertMessage,
        status,
        attempts: 0,
        createdAt: 1,
        nextAttemptAt: 1,
      });
      await store.enqueueNotification(entry('sent', 'sent'));
      await store.enqueueNotification(entry('pending', 'pending'));
      expect(await store.pruneBatch('observations', old, 1_000, 'a')).toBe(3);
      expect(await store.pruneBatch('hourly_vantage', 3 * 3_600_000, 1_000, 'a')).toBe(2);
      expect(await store.pruneBatch('notifications', old, 1_000)).toBe(1);
      expect(await store.pruneBatch('monitor_gaps', old, 1_000)).toBe(1);
      expect((await store.listObservations('a', { limit: 10 })).map((o) => o.startedAt)).toEqual([
        old + 1,
      ]);
      expect((await store.listNotifications({ limit: 10 })).map((n) => n.id)).toEqual(['pending']);
    });
  });
}
