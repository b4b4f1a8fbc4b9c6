/**
 * Delivering the outbox. Entries were stored before this runs, so a crash
 * loses nothing; each notifier is served in creation order on its own, so a
 * broken one never delays the others; failures back off and survive restarts.
 */
import type { CoreDeps } from './deps.js';
import { errorMessage } from './deps.js';
import { FreshprobeError } from './errors.js';
import type { Incident } from './model.js';
import type { Notifier } from './ports.js';
import type { OutboxEntry } from './store.js';

const BATCH = 100;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60_000;
/** After this long undelivered, an entry is marked failed and stops blocking its notifier's queue. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
const SEND_TIMEOUT_MS = 30_000;

export function retryDelayMs(attempts: number, retryAfterMs?: number): number {
  const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_MS));
}

function isRetryable(error: unknown): boolean {
  return error instanceof FreshprobeError ? error.retryable : true;
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' ? value : undefined;
}

async function noteSent(
  deps: CoreDeps,
  entry: OutboxEntry,
  notifier: Notifier,
  at: number,
): Promise<void> {
  const incident: Incident | undefined = await deps.store.getIncident(entry.incidentId);
  if (!incident) return;
  const message = `${entry.kind} sent to ${notifier.id} (${notifier.kind})`;
  await deps.store.putIncident({
    ...incident,
    timeline: [...incident.timeline, { at, kind: 'alert_sent', message }],
  });
}

/** Sends one notifier's due entries in order; stops at the first retryable failure to keep order. */
async function drain(
  deps: CoreDeps,
  notifier: Notifier | undefined,
  entries: OutboxEntry[],
): Promise<void> {
  for (const entry of entries) {
    const now = deps.clock.now();
    if (!notifier) {
      await deps.store.updateNotification({
        ...entry,
        status: 'failed',
        lastError: `no notifier "${entry.notifierId}" in config`,
      });
      continue;
    }
    try {
      await notifier.send(entry.message, AbortSignal.timeout(SEND_TIMEOUT_MS));
      const sentAt = deps.clock.now();
      await deps.store.updateNotification({
        ...entry,
        status: 'sent',
        sentAt,
        attempts: entry.attempts + 1,
        lastError: undefined,
      });
      if (entry.kind !== 'test') await noteSent(deps, entry, notifier, sentAt);
      deps.log.info({ event: 'notify.sent', notifier: notifier.id, id: entry.id });
    } catch (error) {
      const attempts = entry.attempts + 1;
      const giveUp = !isRetryable(error) || now - entry.createdAt > GIVE_UP_AFTER_MS;
      const next: OutboxEntry = {
        ...entry,
        attempts,
        lastError: errorMessage(error),
        status: giveUp ? 'failed' : 'pending',
        nextAttemptAt: now + retryDelayMs(attempts, retryAfterOf(error)),
      };
      await deps.store.updateNotification(next);
      deps.log.warn({
        event: 'notify.failed',
        notifier: notifier.id,
        id: entry.id,
        attempts,
        giveUp,
        error: next.lastError,
      });
      if (!giveUp) return;
    }
  }
}

/**
 * One pass over the outbox. Entries of a notifier whose head is waiting for a
 * retry are held back too, so messages arrive in the order they were created.
 */
export async function deliverDue(
  deps: CoreDeps,
  notifiers: Map<string, Notifier>,
): Promise<number> {
  const now = deps.clock.now();
  const pending = await deps.store.dueNotifications(Number.MAX_SAFE_INTEGER, BATCH);
  const queues = new Map<string, OutboxEntry[]>();
  for (const e of pending) queues.set(e.notifierId, [...(queues.get(e.notifierId) ?? []), e]);
  const due = [...queues.entries()].filter(([, q]) => q[0]!.nextAttemptAt <= now);
  await Promise.all(due.map(([id, q]) => drain(deps, notifiers.get(id), q)));
  return due.reduce((n, [, q]) => n + q.length, 0);
}
