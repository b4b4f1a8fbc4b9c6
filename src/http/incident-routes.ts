/**
 * Incidents over the API: public reads; admin acknowledgement, notes, and
 * the delivery status of every notification sent for an incident.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { NotFoundError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import type { FullStore, OutboxEntry } from '../core/store.js';

const MAX_NOTE = 2_000;

async function body(c: { req: { json(): Promise<unknown> } }): Promise<Record<string, unknown>> {
  const value = await c.req.json().catch(() => ({}));
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !value.trim() || value.length > MAX_NOTE) {
    throw new HTTPException(400, {
      message: `${name} must be a non-empty string of at most ${MAX_NOTE} characters`,
    });
  }
  return value.trim();
}

function deliveryView(e: OutboxEntry) {
  const { message: _m, ...rest } = e;
  return rest;
}

export function incidentRoutes(
  app: Hono,
  store: FullStore,
  admin: MiddlewareHandler,
  now: () => number,
): void {
  const find = async (id: string): Promise<Incident> => {
    const incident = await store.getIncident(id);
    if (!incident) throw new NotFoundError(`no incident "${id}"`);
    return incident;
  };
  app.get('/api/v1/incidents', async (c) => {
    const state = c.req.query('state');
    const limit = Math.min(Number(c.req.query('limit') ?? 50) || 50, 500);
    const siteId = c.req.query('site') || undefined;
    const list =
      state === 'open'
        ? await store.openIncidents(siteId)
        : await store.listIncidents({ siteId, limit });
    return c.json({
      incidents: state === 'resolved' ? list.filter((i) => i.state === 'resolved') : list,
    });
  });
  app.get('/api/v1/incidents/:id', async (c) => c.json(await find(c.req.param('id'))));
  app.get('/api/v1/incidents/:id/notifications', admin, async (c) => {
    const incident = await find(c.req.param('id'));
    const list = await store.listNotifications({ incidentId: incident.id, limit: 200 });
    return c.json({ notifications: list.map(deliveryView) });
  });
  app.post('/api/v1/incidents/:id/ack', admin, async (c) => {
    const incident = await find(c.req.param('id'));
    const by = text((await body(c)).by, 'by', false) ?? 'admin';
    const at = now();
    const acked: Incident = incident.acknowledgedAt
      ? incident
      : {
          ...incident,
          acknowledgedAt: at,
          acknowledgedBy: by,
          timeline: [
            ...incident.timeline,
            { at, kind: 'acknowledged', message: `acknowledged by ${by}` },
          ],
        };
    await store.putIncident(acked);
    return c.json(acked);
  });
  app.post('/api/v1/incidents/:id/notes', admin, async (c) => {
    const incident = await find(c.req.param('id'));
    const input = await body(c);
    const message = text(input.message, 'message', true)!;
    const by = text(input.by, 'by', false);
    const noted: Incident = {
      ...incident,
      timeline: [
        ...incident.timeline,
        { at: now(), kind: 'note', message: by ? `${by}: ${message}` : message },
      ],
    };
    await store.putIncident(noted);
    return c.json(noted, 201);
  });
}
