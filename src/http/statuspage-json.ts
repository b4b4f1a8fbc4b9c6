/**
 * Sites and incidents in the shapes of Atlassian Statuspage's public v2 API
 * (page, status, components with groups, incidents with incident_updates), so
 * existing widgets and aggregators read freshprobe like any Statuspage.
 */
import type { Incident, IncidentEvent } from '../core/model.js';
import { contentHash } from './etag.js';
import { iso } from './format.js';
import { stateSentence } from './state-words.js';
import type { SiteSnapshot } from './status-data.js';
import { type ComponentStatus, worstStatus } from './statuspage-map.js';

export interface PageJson {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface ComponentJson {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

export function pageId(baseUrl: string): string {
  return contentHash(`freshprobe:${baseUrl}`).padStart(12, '0').slice(-12);
}

/** Dots never occur in site ids, so a group id can never collide with one. */
export function groupComponentId(group: string): string {
  return `group.${contentHash(group)}`;
}

function siteComponent(s: SiteSnapshot, pid: string, now: number, position: number): ComponentJson {
  const created = s.createdAt ?? s.view.since;
  return {
    id: s.spec.id,
    name: s.spec.name,
    status: s.component,
    created_at: iso(created),
    updated_at: iso(Math.max(created, s.view.since)),
    position,
    description: stateSentence(s.view, { now, servedFromAt: s.servedFromAt }),
    showcase: true,
    start_date: null,
    group_id: s.spec.group ? groupComponentId(s.spec.group) : null,
    page_id: pid,
    group: false,
    only_show_if_degraded: false,
  };
}

function groupComponent(
  name: string,
  children: ComponentJson[],
  pid: string,
  position: number,
): ComponentJson {
  return {
    id: groupComponentId(name),
    name,
    status: worstStatus(children.map((c) => c.status)),
    created_at: children.map((c) => c.created_at).sort()[0]!,
    updated_at: children
      .map((c) => c.updated_at)
      .sort()
      .at(-1)!,
    position,
    description: null,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: pid,
    group: true,
    only_show_if_degraded: false,
    components: children.map((c) => c.id),
  };
}

/** Config order; each group appears where its first site does, followed by its sites. */
export function componentsJson(sites: SiteSnapshot[], pid: string, now: number): ComponentJson[] {
  const out: ComponentJson[] = [];
  const groups = new Map<string, SiteSnapshot[]>();
  for (const s of sites)
    if (s.spec.group) groups.set(s.spec.group, [...(groups.get(s.spec.group) ?? []), s]);
  const done = new Set<string>();
  for (const s of sites) {
    const group = s.spec.group;
    if (!group) {
      out.push(siteComponent(s, pid, now, out.length + 1));
      continue;
    }
    if (done.has(group)) continue;
    done.add(group);
    const at = out.length;
    const children = groups.get(group)!.map((g, i) => siteComponent(g, pid, now, at + i + 2));
    out.push(groupComponent(group, children, pid, at + 1), ...children);
  }
  return out;
}

/** Timeline kinds that are public statements; alert deliveries and operator notes stay internal. */
const PUBLIC_EVENTS: ReadonlySet<IncidentEvent['kind']> = new Set([
  'opened',
  'first_stale',
  'deploy',
  'acknowledged',
  'update',
  'recovered',
  'resolved',
]);

export function publicTimeline(incident: Incident): IncidentEvent[] {
  const events = incident.timeline.filter((e) => PUBLIC_EVENTS.has(e.kind));
  if (!events.some((e) => e.kind === 'opened'))
    events.unshift({ at: incident.openedAt, kind: 'opened', message: incident.title });
  if (incident.resolvedAt !== undefined && !events.some((e) => e.kind === 'resolved'))
    events.push({ at: incident.resolvedAt, kind: 'resolved', message: 'Resolved.' });
  return events.sort((a, b) => a.at - b.at);
}
