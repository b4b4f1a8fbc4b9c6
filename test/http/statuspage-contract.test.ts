/**
 * Contract: the Statuspage v2 JSON has exactly the documented keys and enums
 * of Atlassian's public Statuspage API (page, status, components with groups,
 * incidents with incident_updates), and the mapping of DESIGN.md section 3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, NOW, seededStatusApp } from './fixture.js';
import { MIN } from './seed-history.js';

const PAGE_KEYS = ['id', 'name', 'url', 'time_zone', 'updated_at'];
const STATUS_KEYS = ['indicator', 'description'];
const INDICATORS = ['none', 'minor', 'major', 'critical'];
const COMPONENT_KEYS = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'position',
  'description',
  'showcase',
  'start_date',
  'group_id',
  'page_id',
  'group',
  'only_show_if_degraded',
];
const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
];
const INCIDENT_KEYS = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'monitoring_at',
  'resolved_at',
  'impact',
  'shortlink',
  'started_at',
  'page_id',
  'incident_updates',
  'components',
];
const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const IMPACTS = ['none', 'minor', 'major', 'critical'];
const UPDATE_KEYS = [
  'id',
  'status',
  'body',
  'incident_id',
  'created_at',
  'updated_at',
  'display_at',
  'affected_components',
  'deliver_notifications',
  'custom_tweet',
  'tweet_id',
];
const AFFECTED_KEYS = ['code', 'name', 'old_status', 'new_status'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Json = Record<string, unknown>;
const sorted = (o: object) => Object.keys(o).sort();

let f: Fixture;
beforeAll(async () => {
  f = await seededStatusApp({ assets: false, perDay: 2 });
}, 60_000);
afterAll(() => f.close());

async function get(path: string): Promise<Json> {
  const res = await f.app.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  return (await res.json()) as Json;
}

function checkComponent(c: Json): void {
  const keys = c.group ? [...COMPONENT_KEYS, 'components'] : COMPONENT_KEYS;
  expect(sorted(c)).toEqual([...keys].sort());
  expect(COMPONENT_STATUSES).toContain(c.status);
  expect(c.created_at).toMatch(ISO);
  expect(c.updated_at).toMatch(ISO);
  expect(typeof c.position).toBe('number');
}

function checkIncident(i: Json): void {
  expect(sorted(i)).toEqual([...INCIDENT_KEYS].sort());
  expect(INCIDENT_STATUSES).toContain(i.status);
  expect(IMPACTS).toContain(i.impact);
  for (const key of ['created_at', 'updated_at', 'started_at']) expect(i[key]).toMatch(ISO);
  for (const key of ['monitoring_at', 'resolved_at'])
    if (i[key] !== null) expect(i[key]).toMatch(ISO);
  for (const u of i.incident_updates as Json[]) {
    expect(sorted(u)).toEqual([...UPDATE_KEYS].sort());
    expect(INCIDENT_STATUSES).toContain(u.status);
    for (const a of (u.affected_components as Json[] | null) ?? []) {
      expect(sorted(a)).toEqual([...AFFECTED_KEYS].sort());
      expect(COMPONENT_STATUSES).toContain(a.old_status);
      expect(COMPONENT_STATUSES).toContain(a.new_status);
    }
  }
  for (const c of i.components as Json[]) checkComponent(c);
}

describe('Statuspage v2 API', () => {
  it('summary.json has the documented shape', async () => {
    const s = await get('/api/v2/summary.json');
    expect(sorted(s)).toEqual([
      'components',
      'incidents',
      'page',
      'scheduled_maintenances',
      'status',
    ]);
    expect(sorted(s.page as Json)).toEqual([...PAGE_KEYS].sort());
    expect(sorted(s.status as Json)).toEqual([...STATUS_KEYS].sort());
    expect(INDICATORS).toContain((s.status as Json).indicator);
    for (const c of s.components as Json[]) checkComponent(c);
    for (const i of s.incidents as Json[]) checkIncident(i);
    expect(s.scheduled_maintenances).toEqual([]);
  });

  it('status, components and incident lists have the documented shapes', async () => {
    expect(sorted(await get('/api/v2/status.json'))).toEqual(['page', 'status']);
    const components = await get('/api/v2/components.json');
    expect(sorted(components)).toEqual(['components', 'page']);
    for (const path of ['/api/v2/incidents.json', '/api/v2/incidents/unresolved.json']) {
      const body = await get(path);
      expect(sorted(body)).toEqual(['incidents', 'page']);
      for (const i of body.incidents as Json[]) checkIncident(i);
    }
  });

  it('maps site states to component statuses as DESIGN.md section 3 says', async () => {
    const { components } = (await get('/api/v2/components.json')) as { components: Json[] };
    const status = Object.fromEntries(components.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      docs: 'operational',
      blog: 'partial_outage', // stale 14 min, past 2 x the 5 min threshold
      shop: 'major_outage', // 404 at every vantage
      'edge-err': 'partial_outage', // error at 1 of 5 vantages
      api: 'under_maintenance', // no_data: see README
      paused: 'under_maintenance',
    });
    const groups = components.filter((c) => c.group);
    expect(groups.map((g) => [g.name, g.status, g.components])).toEqual([
      ['Docs', 'partial_outage', ['docs', 'blog']],
      ['Shops', 'major_outage', ['shop', 'edge-err']],
      [expect.stringContaining('svg onload'), 'operational', ['xss']],
    ]);
    const api = components.find((c) => c.id === 'api')!;
    expect(api.description).toMatch(/^Monitoring data stale since/);
  });

  it('calls a stale site degraded within 2x the threshold, and no_data never operational', async () => {
    const blog = (await f.store.vantageStatuses('blog')).map((v) =>
      v.state === 'stale' ? { ...v, stalenessMs: 7 * MIN } : v,
    );
    for (const v of blog) await f.store.upsertVantageStatus(v);
    const { components } = (await get('/api/v2/components.json')) as { components: Json[] };
    expect(components.find((c) => c.id === 'blog')!.status).toBe('degraded_performance');
    const { status } = (await get('/api/v2/status.json')) as { status: Json };
    expect(status.indicator).toBe('critical');
    for (const v of await f.store.vantageStatuses('blog'))
      await f.store.upsertVantageStatus({ ...v, stalenessMs: 14 * MIN });
  });

  it('maps incidents: status by progress, impact by component impact, public updates only', async () => {
    const { incidents } = (await get('/api/v2/incidents.json')) as { incidents: Json[] };
    const byId = new Map(incidents.map((i) => [i.id, i]));
    const { open, acknowledged, recovered, resolved } = f.incidents;
    expect(byId.get(open.id)).toMatchObject({
      status: 'investigating',
      impact: 'minor',
      resolved_at: null,
    });
    expect(byId.get(acknowledged.id)).toMatchObject({ status: 'identified' });
    expect(byId.get(recovered.id)).toMatchObject({
      status: 'monitoring',
      monitoring_at: new Date(NOW - 5 * MIN).toISOString(),
    });
    const done = byId.get(resolved.id)!;
    expect(done).toMatchObject({
      status: 'resolved',
      resolved_at: new Date(resolved.resolvedAt!).toISOString(),
    });
    const updates = done.incident_updates as Json[];
    expect(updates.map((u) => u.status)).toEqual(['resolved', 'monitoring', 'investigating']);
    expect(updates.at(-1)!.affected_components).toEqual([
      {
        code: 'docs',
        name: 'Product docs',
        old_status: 'operational',
        new_status: 'degraded_performance',
      },
    ]);
    const text = JSON.stringify(incidents);
    expect(text).not.toContain('internal note');
    expect(text).not.toContain('sent to ops');
    expect(text).not.toContain('alice@example.com');
    expect(done.shortlink).toBe(
      `http://localhost/sites/docs#incident-${String(done.shortlink).split('#incident-')[1]}`,
    );
  });

  it('lists only open incidents as unresolved, newest first, also in the summary', async () => {
    const { incidents } = (await get('/api/v2/incidents/unresolved.json')) as { incidents: Json[] };
    expect(incidents.map((i) => i.status)).toEqual(['investigating', 'identified', 'monitoring']);
    const summary = (await get('/api/v2/summary.json')) as { incidents: Json[] };
    expect(summary.incidents.map((i) => i.id)).toEqual(incidents.map((i) => i.id));
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await f.app.request('/api/v2/summary.json');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await f.app.request('/api/v2/summary.json', {
      headers: { 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
  });
});
