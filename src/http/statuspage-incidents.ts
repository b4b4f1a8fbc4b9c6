/**
 * Incident → Statuspage incident: status from the incident's progress
 * (investigating → identified when acknowledged → monitoring once recovered →
 * resolved), impact from the component impact, and one incident update per
 * public timeline event, newest first as Statuspage lists them.
 */
import type { Incident } from '../core/model.js';
import { contentHash } from './etag.js';
import { iso, isoOrNull } from './format.js';
import type { ComponentJson } from './statuspage-json.js';
import { publicTimeline } from './statuspage-json.js';
import {
  type ComponentStatus,
  IMPACT,
  type IncidentStatus,
  incidentStatus,
} from './statuspage-map.js';

export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface IncidentUpdateJson {
  id: string;
  status: IncidentStatus;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: AffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: null;
  tweet_id: null;
}

export interface IncidentJson {
  id: string;
  name: string;
  status: IncidentStatus;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: 'none' | 'minor' | 'major' | 'critical';
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: IncidentUpdateJson[];
  components: ComponentJson[];
}

/** Where the incident is shown on the site page. */
export function incidentAnchor(incident: Incident): string {
  return `incident-${contentHash(incident.id)}`;
}

export function incidentLink(baseUrl: string, incident: Incident): string {
  return `${baseUrl}/sites/${encodeURIComponent(incident.siteId)}#${incidentAnchor(incident)}`;
}

function updates(incident: Incident, component: ComponentJson | undefined): IncidentUpdateJson[] {
  let status: IncidentStatus = 'investigating';
  const impact = incident.impact;
  const affected = (old_status: ComponentStatus, new_status: ComponentStatus) =>
    component ? [{ code: component.id, name: component.name, old_status, new_status }] : null;
  const out = publicTimeline(incident).map((e, i): IncidentUpdateJson => {
    status = e.kind === 'resolved' ? 'resolved' : (statusAfter(e.kind) ?? status);
    const at = iso(e.at);
    return {
      id: `${incident.id}/${i}`,
      status,
      body: e.kind === 'opened' ? incident.summary || e.message : e.message,
      incident_id: incident.id,
      created_at: at,
      updated_at: at,
      display_at: at,
      affected_components:
        e.kind === 'opened'
          ? affected('operational', impact)
          : e.kind === 'resolved'
            ? affected(impact, 'operational')
            : null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    };
  });
  return out.reverse();
}

function statusAfter(kind: Incident['timeline'][number]['kind']): IncidentStatus | undefined {
  if (kind === 'acknowledged') return 'identified';
  if (kind === 'recovered') return 'monitoring';
  return undefined;
}

export function incidentJson(
  incident: Incident,
  component: ComponentJson | undefined,
  ctx: { pageId: string; baseUrl: string },
): IncidentJson {
  const list = updates(incident, component);
  const recovered = incident.timeline.find((e) => e.kind === 'recovered');
  const last = Math.max(
    incident.openedAt,
    incident.resolvedAt ?? 0,
    ...incident.timeline.map((e) => e.at),
  );
  return {
    id: incident.id,
    name: incident.title,
    status: incidentStatus(incident),
    created_at: iso(incident.openedAt),
    updated_at: iso(last),
    monitoring_at: isoOrNull(recovered?.at),
    resolved_at: isoOrNull(incident.resolvedAt),
    impact: IMPACT[incident.impact],
    shortlink: incidentLink(ctx.baseUrl, incident),
    started_at: iso(incident.openedAt),
    page_id: ctx.pageId,
    incident_updates: list,
    components: component ? [component] : [],
  };
}
