/** Incidents, alert rule state and the notification outbox. */
import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type {
  AlertMessage,
  Impact,
  Incident,
  IncidentCause,
  IncidentEvent,
} from '../core/model.js';
import type { IncidentStore, NotificationStatus, OutboxEntry } from '../core/store.js';
import { once, param, paramsFor } from './prepared.js';
import { compact } from './rows.js';
import { alertState, incidents, notifications } from './schema.js';
import type { StoreDb } from './store.js';

type IncidentRow = typeof incidents.$inferSelect;
type NotificationRow = typeof notifications.$inferSelect;

function incidentFromRow(r: IncidentRow): Incident {
  return compact({
    id: r.id,
    siteId: r.siteId,
    cause: r.cause as IncidentCause,
    state: r.state as Incident['state'],
    impact: r.impact as Impact,
    openedAt: r.openedAt,
    resolvedAt: r.resolvedAt ?? undefined,
    acknowledgedAt: r.acknowledgedAt ?? undefined,
    acknowledgedBy: r.acknowledgedBy ?? undefined,
    title: r.title,
    summary: r.summary,
    vantages: JSON.parse(r.vantages) as string[],
    timeline: JSON.parse(r.timeline) as IncidentEvent[],
  });
}

function incidentToRow(i: Incident): IncidentRow {
  return {
    id: i.id,
    siteId: i.siteId,
    cause: i.cause,
    state: i.state,
    impact: i.impact,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt ?? null,
    acknowledgedAt: i.acknowledgedAt ?? null,
    acknowledgedBy: i.acknowledgedBy ?? null,
    title: i.title,
    summary: i.summary,
    vantages: JSON.stringify(i.vantages),
    timeline: JSON.stringify(i.timeline),
  };
}

function entryFromRow(r: NotificationRow): OutboxEntry {
  return compact({
    id: r.id,
    notifierId: r.notifierId,
    incidentId: r.incidentId,
    kind: r.kind as AlertMessage['kind'],
    message: JSON.parse(r.message) as AlertMessage,
    status: r.status as NotificationStatus,
    attempts: r.attempts,
    createdAt: r.createdAt,
    nextAttemptAt: r.nextAttemptAt,
    sentAt: r.sentAt ?? undefined,
    lastError: r.lastError ?? undefined,
  });
}

function entryToRow(e: OutboxEntry): NotificationRow {
  return {
    ...e,
    message: JSON.stringify(e.message),
    sentAt: e.sentAt ?? null,
    lastError: e.lastError ?? null,
  };
}

export function createIncidentStore(db: StoreDb): IncidentStore {
  // Read (and, on a transition, written) for every alert rule after every probe round.
  const ruleKey = and(eq(alertState.siteId, param('siteId')), eq(alertState.rule, param('rule')));
  const getRule = once(() => db.select().from(alertState).where(ruleKey).prepare());
  // Read on every step of a site with an open incident, once per rule that holds one.
  const incidentById = once(() =>
    db
      .select()
      .from(incidents)
      .where(eq(incidents.id, param('id')))
      .prepare(),
  );
  const siteRules = once(() =>
    db
      .select()
      .from(alertState)
      .where(eq(alertState.siteId, param('siteId')))
      .prepare(),
  );
  const putRule = once(() =>
    db
      .insert(alertState)
      .values(paramsFor(['siteId', 'rule', 'state', 'updatedAt']))
      .onConflictDoUpdate({
        target: [alertState.siteId, alertState.rule],
        set: { state: sql.raw('excluded.state'), updatedAt: sql.raw('excluded.updated_at') },
      })
      .prepare(),
  );
  return {
    putIncident: async (incident) => {
      const { id: _id, ...changes } = incidentToRow(incident);
      await db
        .insert(incidents)
        .values(incidentToRow(incident))
        .onConflictDoUpdate({ target: incidents.id, set: changes })
        .run();
    },
    getIncident: async (id) => {
      const row = (await incidentById().get({ id })) as IncidentRow | undefined;
      return row ? incidentFromRow(row) : undefined;
    },
    openIncidents: async (siteId) => {
      const open = eq(incidents.state, 'open');
      const where = siteId ? and(open, eq(incidents.siteId, siteId)) : open;
      const rows = await db
        .select()
        .from(incidents)
        .where(where)
        .orderBy(asc(incidents.openedAt))
        .all();
      return rows.map(incidentFromRow);
    },
    listIncidents: async ({ siteId, limit, since }) => {
      const conditions = [];
      if (siteId) conditions.push(eq(incidents.siteId, siteId));
      if (since !== undefined) conditions.push(gte(incidents.openedAt, since));
      const rows = await db
        .select()
        .from(incidents)
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(desc(incidents.openedAt))
        .limit(limit)
        .all();
      return rows.map(incidentFromRow);
    },
    getAlertState: async <T>(siteId: string, rule: string) => {
      const row = await getRule().get({ siteId, rule });
      return row ? (JSON.parse(row.state) as T) : undefined;
    },
    alertStates: async <T>(siteId: string) => {
      const rows = await siteRules().all({ siteId });
      return new Map(
        rows.map((r: { rule: string; state: string }) => [r.rule, JSON.parse(r.state) as T]),
      );
    },
    putAlertState: async (siteId, rule, state, now) => {
      await putRule().run({ siteId, rule, state: JSON.stringify(state), updatedAt: now });
    },
    enqueueNotification: async (entry) => {
      await db.insert(notifications).values(entryToRow(entry)).onConflictDoNothing().run();
    },
    dueNotifications: async (now, limit) => {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.status, 'pending'), lte(notifications.nextAttemptAt, now)))
        .orderBy(asc(notifications.createdAt), asc(notifications.id))
        .limit(limit)
        .all();
      return rows.map(entryFromRow);
    },
    updateNotification: async (entry) => {
      const { id: _id, ...changes } = entryToRow(entry);
      await db.update(notifications).set(changes).where(eq(notifications.id, entry.id)).run();
    },
    listNotifications: async ({ incidentId, limit }) => {
      const rows = await db
        .select()
        .from(notifications)
        .where(incidentId ? eq(notifications.incidentId, incidentId) : undefined)
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(limit)
        .all();
      return rows.map(entryFromRow);
    },
  };
}
