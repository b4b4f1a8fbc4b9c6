/**
 * A site's state in words (DESIGN.md section 3): one sentence that says what
 * is wrong, where, and since when, plus what a red state means and what to do.
 * Colour is never the only carrier: every tone comes with a word.
 */
import type { SiteState } from '../core/model.js';
import { clock, formatDuration } from './format.js';
import type { SiteView } from './views.js';

/** CSS tone: ok (green), info (blue), warn (amber), bad (red), unknown (grey), paused (grey-blue). */
export type Tone = 'ok' | 'info' | 'warn' | 'bad' | 'unknown' | 'paused';

export const STATE_LABEL: Record<SiteState, string> = {
  fresh: 'Fresh',
  propagating: 'Propagating',
  stale: 'Stale',
  missing: '404',
  error: 'Error',
  deploy_failing: 'Deploy failing',
  no_data: 'No data',
  paused: 'Paused',
};

export const STATE_TONE: Record<SiteState, Tone> = {
  fresh: 'ok',
  propagating: 'info',
  stale: 'warn',
  missing: 'bad',
  error: 'bad',
  deploy_failing: 'warn',
  no_data: 'unknown',
  paused: 'paused',
};

/** What each non-green state means, for the glossary and every red state. */
export const STATE_MEANING: Partial<Record<SiteState, string>> = {
  propagating:
    'The newest deploy is younger than the SLO threshold and not yet served everywhere. Normal right after a deploy.',
  stale:
    'Past the SLO threshold, some vantages still serve older content than the newest accepted deploy: a CDN kept a stale object, a server holds an old mount, or a deploy was lost on some nodes. Compare edge and origin, then purge or restart what serves old content.',
  missing:
    'The canary path answers 404 or 410 where the canary should be: the site lost its content, or a server answers before it has loaded it.',
  error:
    'The probe got no usable answer: a 5xx, a timeout, a DNS, TLS or connection failure, a body over the size cap, or a 200 without any marker.',
  deploy_failing:
    'The deployer could not publish (rejected push, 401, 5xx). Visitors still get the last published content; freshness cannot be measured until deploys work again.',
  no_data:
    'No observation within twice the probe interval: the monitor itself is stale, so nothing is known about the site. This is never shown as green.',
  paused: 'An operator paused this site: it is neither deployed to nor probed.',
};

export interface StateContext {
  now: number;
  /** Deploy time of the oldest content the affected vantages serve (stale sites). */
  servedFromAt?: number;
}

/** "2 of 5 nodes" when every affected vantage is a node, else "1 of 3 vantages". */
export function affectedPhrase(view: SiteView): string | undefined {
  const { vantages, of } = view.affected;
  if (of <= 1 || vantages.length === 0 || vantages.length >= of) return undefined;
  const nodes = view.vantages.filter((v) => v.vantage.startsWith('node:')).length;
  if (vantages.every((v) => v.startsWith('node:')) && nodes > 0)
    return `${vantages.length} of ${nodes} nodes`;
  return `${vantages.length} of ${of} vantages`;
}

function firstError(view: SiteView): string | undefined {
  const v = view.vantages.find((x) => x.state === 'error');
  return v?.errorClass?.replaceAll('_', ' ');
}

function at(where: string | undefined): string {
  return where ? ` at ${where}` : '';
}

/** One sentence: "Stale for 14 min: 2 of 5 nodes serve content from 09:12". */
export function stateSentence(view: SiteView, ctx: StateContext): string {
  const since = clock(view.since, ctx.now);
  const where = affectedPhrase(view);
  switch (view.state) {
    case 'fresh':
      return 'Fresh';
    case 'propagating':
      return `Propagating${view.latest ? `: canary #${view.latest.seq} not yet visible` : ''}${at(where)}`;
    case 'stale': {
      const age = view.stalenessMs !== undefined ? ` for ${formatDuration(view.stalenessMs)}` : '';
      const from =
        ctx.servedFromAt !== undefined ? ` from ${clock(ctx.servedFromAt, ctx.now)}` : '';
      const who = where ?? (view.affected.of > 1 ? 'all vantages' : 'the edge');
      return `Stale${age}: ${who} serve${where || view.affected.of > 1 ? '' : 's'} content${from || ' older than the newest deploy'}`;
    }
    case 'missing':
      return `404 since ${since}${at(where)}`;
    case 'error': {
      const cls = firstError(view);
      return `Error since ${since}${cls ? `: ${cls}` : ''}${at(where)}`;
    }
    case 'deploy_failing':
      return `Deploy failing since ${since}`;
    case 'no_data':
      return `Monitoring data stale since ${since}`;
    case 'paused':
      return 'Paused';
  }
}

/** "39.0–46.3 s" when both ends share a unit, else "840 ms–1.2 s". */
function shortRange(lo: string, hi: string): string {
  const unit = hi.slice(hi.lastIndexOf(' '));
  return lo.endsWith(unit) ? `${lo.slice(0, -unit.length)}–${hi}` : `${lo}–${hi}`;
}

/** The newest canary's latency with its bound ("short" for the index), or what became of it. */
export function latencySentence(
  view: SiteView,
  fmt: (ms: number) => string,
  form: 'long' | 'short' = 'long',
): string {
  const c = view.latest;
  if (!c) return 'No canary yet';
  if (c.latencyMs !== undefined && c.latencyBoundsMs) {
    const [lo, hi] = c.latencyBoundsMs;
    const bound =
      form === 'short' ? shortRange(fmt(lo), fmt(hi)) : `between ${fmt(lo)} and ${fmt(hi)}`;
    return `#${c.seq} visible after ${fmt(c.latencyMs)} (${bound})`;
  }
  const words: Record<string, string> = {
    pending: 'waiting to deploy',
    deploying: 'deploying',
    deploy_failed: 'deploy failed',
    propagating: 'deployed, not yet visible',
    visible: 'visible',
    timed_out: 'never became visible (timed out)',
  };
  return `#${c.seq} ${words[c.state] ?? c.state}`;
}
