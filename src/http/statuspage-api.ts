/**
 * GET /api/v2/{summary,status,components,incidents,incidents/unresolved}.json:
 * the Statuspage public API. Bodies are built once per refreshed snapshot and
 * served with an ETag; the data is public, so any origin may read it (CORS *),
 * as Statuspage allows for its embeddable widgets.
 */
import type { Context, Hono } from 'hono';
import type { Incident } from '../core/model.js';
import { etagMatches, strongEtag } from './etag.js';
import { iso } from './format.js';
import type { Snapshot, StatusData } from './status-data.js';
import { type IncidentJson, incidentJson } from './statuspage-incidents.js';
import { type ComponentJson, componentsJson, type PageJson, pageId } from './statuspage-json.js';
import { pageStatus } from './statuspage-map.js';

export interface StatuspageContext {
  /** server.publicUrl, else the request's origin. */
  baseUrl: string;
  pageName: string;
}

interface Built {
  page: PageJson;
  status: ReturnType<typeof pageStatus>;
  components: ComponentJson[];
  unresolved: IncidentJson[];
  recent: IncidentJson[];
}

function build(
  snap: Snapshot,
  lists: { open: Incident[]; recent: Incident[] },
  now: number,
  ctx: StatuspageContext,
): Built {
  const pid = pageId(ctx.baseUrl);
  const components = componentsJson(snap.sites, pid, now);
  const byId = new Map(components.map((c) => [c.id, c]));
  const toJson = (i: Incident) =>
    incidentJson(i, byId.get(i.siteId), { pageId: pid, baseUrl: ctx.baseUrl });
  const unresolved = lists.open.map(toJson);
  const recent = lists.recent.map(toJson);
  const stamps = [
    ...components.map((c) => c.updated_at),
    ...recent.map((i) => i.updated_at),
    ...unresolved.map((i) => i.updated_at),
  ].sort();
  const page: PageJson = {
    id: pid,
    name: ctx.pageName,
    url: ctx.baseUrl,
    time_zone: 'Etc/UTC',
    updated_at: stamps.at(-1) ?? iso(now),
  };
  const status = pageStatus(
    snap.sites.map((s) => s.view),
    snap.sites.map((s) => s.component),
  );
  return { page, status, components, unresolved, recent };
}

const ROUTES: Record<string, (b: Built) => object> = {
  'summary.json': (b) => ({
    page: b.page,
    components: b.components,
    incidents: b.unresolved,
    scheduled_maintenances: [],
    status: b.status,
  }),
  'status.json': (b) => ({ page: b.page, status: b.status }),
  'components.json': (b) => ({ page: b.page, components: b.components }),
  'incidents.json': (b) => ({ page: b.page, incidents: b.recent }),
  'incidents/unresolved.json': (b) => ({ page: b.page, incidents: b.unresolved }),
};

interface CachedBody {
  key: unknown[];
  body: string;
  etag: string;
}

export function registerStatuspageApi(
  app: Hono,
  data: StatusData,
  context: (c: Context) => StatuspageContext,
): void {
  const cache = new Map<string, CachedBody>();
  for (const [path, shape] of Object.entries(ROUTES)) {
    app.get(`/api/v2/${path}`, async (c) => {
      const [snap, lists] = await Promise.all([data.snapshot(), data.incidents()]);
      const ctx = context(c);
      const key = [snap, lists, ctx.baseUrl, ctx.pageName];
      let hit = cache.get(path);
      if (!hit || hit.key.some((k, i) => k !== key[i])) {
        const body = JSON.stringify(shape(build(snap.value, lists.value, snap.at, ctx)));
        hit = { key, body, etag: strongEtag(body) };
        cache.set(path, hit);
      }
      c.header('Access-Control-Allow-Origin', '*');
      c.header('Cache-Control', 'no-cache');
      c.header('ETag', hit.etag);
      if (etagMatches(c.req.header('if-none-match'), hit.etag)) return c.body(null, 304);
      return c.body(hit.body, 200, { 'Content-Type': 'application/json; charset=utf-8' });
    });
  }
}
