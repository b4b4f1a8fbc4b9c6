/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * Site page sections: incidents with their public timeline, what each red
 * state means (with the runbook), and copy-paste badge snippets.
 */
import type { Incident } from '../../core/model.js';
import { BADGE_KINDS, BADGE_LABEL } from '../badges/messages.js';
import { clock, displayUrl, utcStamp } from '../format.js';
import { STATE_LABEL, STATE_MEANING } from '../state-words.js';
import { incidentAnchor } from '../statuspage-incidents.js';
import { publicTimeline } from '../statuspage-json.js';
import { incidentStatus } from '../statuspage-map.js';

const STATUS_WORD = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring (recovered)',
  resolved: 'Resolved',
} as const;

export const Incidents = (p: { incidents: Incident[]; now: number }) =>
  p.incidents.length ? (
    <ul class="incidents">
      {p.incidents.map((i) => (
        <li class="incident" id={incidentAnchor(i)}>
          <h3>{i.title}</h3>
          <p>
            <strong>{STATUS_WORD[incidentStatus(i)]}</strong>. Opened {clock(i.openedAt, p.now)}
            {i.resolvedAt !== undefined ? `, resolved ${clock(i.resolvedAt, p.now)}` : ''}.
          </p>
          <p>{i.summary}</p>
          <ol class="timeline">
            {publicTimeline(i).map((e) => (
              <li>
                {utcStamp(e.at)}: {e.message}
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ul>
  ) : (
    <p>No incidents recorded for this site.</p>
  );

const RED_STATES = ['stale', 'missing', 'error', 'deploy_failing', 'no_data', 'paused'] as const;

export const Glossary = (p: { runbook?: string }) => (
  <>
    <dl>
      {RED_STATES.map((s) => (
        <>
          <dt>
            <strong>{STATE_LABEL[s]}</strong>
          </dt>
          <dd>{STATE_MEANING[s]}</dd>
        </>
      ))}
    </dl>
    <p>
      {p.runbook ? (
        <>
          What to do for this site: <a href={displayUrl(p.runbook)}>the runbook</a>.
        </>
      ) : (
        'No runbook is configured for this site (set sites[].runbook).'
      )}
    </p>
  </>
);

function markdownText(text: string): string {
  return text.replace(/[\\[\]()*_`<>]/g, (ch) => `\\${ch}`);
}

function htmlAttr(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export const BadgeSnippets = (p: { siteId: string; name: string; baseUrl: string }) => {
  const id = encodeURIComponent(p.siteId);
  const page = `${p.baseUrl}/sites/${id}`;
  return (
    <>
      <p>
        Badges revalidate on every view (<code>Cache-Control: no-cache</code> with an ETag). Each
        also exists as shields.io endpoint JSON: replace <code>.svg</code> with <code>.json</code>.
      </p>
      <p class="visually-hidden" aria-live="polite" id="copy-status" />
      {BADGE_KINDS.map((kind) => {
        const svg = `${p.baseUrl}/badge/${id}/${kind}.svg`;
        const alt = `${p.name}: ${BADGE_LABEL[kind]}`;
        return (
          <div class="snippet">
            <h3>
              {BADGE_LABEL[kind]} <img src={`/badge/${id}/${kind}.svg`} alt={alt} height="20" />
            </h3>
            <p>Markdown</p>
            <pre data-copy={`${kind} badge Markdown`}>
              <code>{`[![${markdownText(alt)}](${svg})](${page})`}</code>
            </pre>
            <p>HTML</p>
            <pre data-copy={`${kind} badge HTML`}>
              <code>{`<a href="${htmlAttr(page)}"><img src="${htmlAttr(svg)}" alt="${htmlAttr(alt)}"></a>`}</code>
            </pre>
          </div>
        );
      })}
    </>
  );
};
