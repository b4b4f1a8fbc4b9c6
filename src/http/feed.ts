/**
 * GET /feed.atom: the newest incidents as an Atom 1.0 feed (RFC 4287), one
 * entry per incident, updated when its timeline moves. Every text is escaped
 * and stripped of characters XML 1.0 cannot carry.
 */
import type { Context, Hono } from 'hono';
import type { Incident } from '../core/model.js';
import { escapeXml } from './badges/svg.js';
import { etagMatches, strongEtag } from './etag.js';
import { iso, utcStamp } from './format.js';
import type { StatusData } from './status-data.js';
import { incidentLink } from './statuspage-incidents.js';
import { publicTimeline } from './statuspage-json.js';
import { incidentStatus } from './statuspage-map.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what XML 1.0 forbids.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlText(text: string): string {
  return escapeXml(text.replace(NOT_XML, ''));
}

const STATUS_WORD = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
} as const;

function updatedAt(i: Incident): number {
  return Math.max(i.openedAt, i.resolvedAt ?? 0, ...i.timeline.map((e) => e.at));
}

function entry(i: Incident, baseUrl: string, siteName: string): string {
  const link = incidentLink(baseUrl, i);
  const status = STATUS_WORD[incidentStatus(i)];
  const lines = publicTimeline(i).map((e) => `${utcStamp(e.at)}: ${e.message}`);
  return `<entry>
<id>${xmlText(link)}</id>
<title>${xmlText(`[${status}] ${siteName}: ${i.title}`)}</title>
<updated>${iso(updatedAt(i))}</updated>
<published>${iso(i.openedAt)}</published>
<link rel="alternate" type="text/html" href="${xmlText(link)}"/>
<summary>${xmlText(`${status}. ${i.summary}`)}</summary>
<content type="text">${xmlText(lines.join('\n'))}</content>
</entry>`;
}

export function atomFeed(
  incidents: Incident[],
  baseUrl: string,
  names: Map<string, string>,
  now: number,
): string {
  const newest = incidents.length ? Math.max(...incidents.map(updatedAt)) : now;
  const entries = incidents.map((i) => entry(i, baseUrl, names.get(i.siteId) ?? i.siteId));
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${xmlText(`${baseUrl}/feed.atom`)}</id>
<title>Incidents</title>
<subtitle>freshprobe: is what was deployed what the public sees?</subtitle>
<updated>${iso(newest)}</updated>
<link rel="self" type="application/atom+xml" href="${xmlText(`${baseUrl}/feed.atom`)}"/>
<link rel="alternate" type="text/html" href="${xmlText(`${baseUrl}/`)}"/>
<author><name>freshprobe</name></author>
<generator>freshprobe</generator>
${entries.join('\n')}
</feed>
`;
}

export function registerFeed(app: Hono, data: StatusData, baseUrl: (c: Context) => string): void {
  app.get('/feed.atom', async (c) => {
    const [lists, snap] = await Promise.all([data.incidents(), data.snapshot()]);
    const names = new Map(snap.value.sites.map((s) => [s.spec.id, s.spec.name]));
    const body = atomFeed(lists.value.recent, baseUrl(c), names, lists.at);
    const etag = strongEtag(body);
    c.header('Cache-Control', 'no-cache');
    c.header('ETag', etag);
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
  });
}
