/**
 * A minimal server-rendered index: every site, its state in words, the newest
 * latency with its bound. The full status page is its own piece of work.
 * `html` escapes every interpolated value, so names from config stay inert.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SiteView } from './views.js';

const STATE_WORDS: Record<string, string> = {
  fresh: 'Fresh',
  propagating: 'Propagating',
  stale: 'Stale',
  missing: 'Missing (404)',
  error: 'Error',
  deploy_failing: 'Deploy failing',
  no_data: 'No data: monitoring is stale',
  paused: 'Paused',
};

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function latencyText(site: SiteView): string {
  const c = site.latest;
  if (!c) return 'no canary yet';
  if (c.latencyMs === undefined || !c.latencyBoundsMs)
    return `canary #${c.seq}: ${c.state.replace('_', ' ')}`;
  const [lo, hi] = c.latencyBoundsMs;
  return `canary #${c.seq} visible after ${formatMs(c.latencyMs)} (between ${formatMs(lo)} and ${formatMs(hi)})`;
}

function stateText(site: SiteView): string {
  const words = STATE_WORDS[site.state] ?? site.state;
  const { vantages, of } = site.affected;
  if (of > 1 && vantages.length < of && site.state !== 'fresh')
    return `${words}: ${vantages.length} of ${of} vantages (${vantages.join(', ')})`;
  return words;
}

function row(site: SiteView) {
  return html`<li class="site state-${site.state}">
    <h2><a href="/api/v1/sites/${encodeURIComponent(site.id)}">${site.name}</a></h2>
    <p class="state"><strong>${stateText(site)}</strong> since ${new Date(site.since).toISOString()}</p>
    <p>${latencyText(site)}</p>
    <ul class="vantages">${site.vantages.map(
      (v) =>
        html`<li>${v.vantage}: ${STATE_WORDS[v.state] ?? v.state}${v.seqSeen !== undefined ? ` (serves #${v.seqSeen})` : ''}</li>`,
    )}</ul>
  </li>`;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f23}
.demo{background:#fff4d6;border:1px solid #e0b64a;padding:.5rem 1rem;border-radius:.5rem}
ul{padding-left:0;list-style:none}.site{border-left:.4rem solid #8a8f98;padding:.25rem 1rem;margin:1rem 0}
.state-fresh{border-color:#1f883d}.state-propagating{border-color:#4a90d9}.state-stale,.state-deploy_failing{border-color:#d4a72c}
.state-missing,.state-error{border-color:#cf222e}.state-no_data,.state-paused{border-color:#8a8f98}
.vantages li{display:inline-block;margin-right:1rem;color:#57606a}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}.demo{background:#3d2e00;border-color:#9e6a03}a{color:#58a6ff}.vantages li{color:#8b949e}}`;

export function renderIndex(
  sites: SiteView[],
  opts: { now: number; demo: boolean },
): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="5"><title>freshprobe status</title><style>${STYLE}</style></head>
<body><header><h1>freshprobe</h1>
${opts.demo ? html`<p class="demo" role="note"><strong>Demo.</strong> This is the built-in demo: a local pretend hosting platform that publishes each canary after a random delay, with one node that sometimes lags. Run <code>freshprobe serve --config freshprobe.yaml</code> to watch your own sites.</p>` : ''}
</header><main><ul>${sites.map(row)}</ul></main>
<footer><p>Rendered ${new Date(opts.now).toISOString()}. JSON: <a href="/api/v1/sites">/api/v1/sites</a></p></footer>
</body></html>`;
}
