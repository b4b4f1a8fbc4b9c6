/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * GET / as HTML: the overall banner, open incidents, then every site grouped
 * as configured, each with its state in words, the newest latency with its
 * bound, and the 90-day freshness bar.
 */
import type { Incident } from '../../core/model.js';
import { clock, formatMs } from '../format.js';
import { latencySentence, STATE_LABEL, STATE_TONE, stateSentence } from '../state-words.js';
import type { SiteSnapshot } from '../status-data.js';
import { incidentAnchor } from '../statuspage-incidents.js';
import { BANNER_WORDS, bannerOf } from '../statuspage-map.js';
import { ImageBar, InlineBar } from './bar.js';
import { type Bar, makeBar } from './days.js';

/** Above this many sites the bars become cached images: 90 cells per site would bloat the page. */
export const INLINE_BAR_LIMIT = 30;

export interface IndexProps {
  sites: SiteSnapshot[];
  bars: Map<string, Bar>;
  open: Incident[];
  now: number;
}

interface Group {
  name?: string;
  sites: SiteSnapshot[];
}

/** Groups in the order they first appear in the config; ungrouped sites form one section. */
export function groupSites(sites: SiteSnapshot[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of sites) {
    const key = s.spec.group === undefined ? '' : `g:${s.spec.group}`;
    const group = groups.get(key) ?? { name: s.spec.group, sites: [] };
    group.sites.push(s);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function countsSentence(sites: SiteSnapshot[]): string {
  const counts = new Map<string, number>();
  for (const s of sites) counts.set(s.view.state, (counts.get(s.view.state) ?? 0) + 1);
  const parts = [...counts.entries()].map(
    ([state, n]) => `${n} ${STATE_LABEL[state as keyof typeof STATE_LABEL].toLowerCase()}`,
  );
  return `${sites.length} ${sites.length === 1 ? 'site' : 'sites'}: ${parts.join(', ')}`;
}

const Banner = (p: { sites: SiteSnapshot[] }) => {
  const banner = bannerOf(
    p.sites.map((s) => s.view.state),
    p.sites.map((s) => s.component),
  );
  return (
    <section class={`banner b-${banner}`} aria-labelledby="overall">
      <h2 id="overall">{BANNER_WORDS[banner]}</h2>
      <p>{countsSentence(p.sites)}</p>
    </section>
  );
};

const OpenIncidents = (p: { open: Incident[]; names: Map<string, string>; now: number }) =>
  p.open.length ? (
    <section aria-labelledby="incidents">
      <h2 id="incidents">Open incidents</h2>
      <ul class="incidents">
        {p.open.map((i) => (
          <li>
            <a href={`/sites/${encodeURIComponent(i.siteId)}#${incidentAnchor(i)}`}>
              {p.names.get(i.siteId) ?? i.siteId}: {i.title}
            </a>{' '}
            since {clock(i.openedAt, p.now)}
          </li>
        ))}
      </ul>
    </section>
  ) : null;

const SiteRow = (p: { site: SiteSnapshot; bar: Bar; now: number; inline: boolean }) => {
  const { spec, view } = p.site;
  const href = `/sites/${encodeURIComponent(spec.id)}`;
  return (
    <li class={`t-${STATE_TONE[view.state]}`}>
      <h3>
        <a href={href}>{spec.name}</a>
      </h3>
      <p class="state">{stateSentence(view, { now: p.now, servedFromAt: p.site.servedFromAt })}</p>
      <p class="lat">{latencySentence(view, formatMs, 'short')}</p>
      {p.inline ? (
        <InlineBar
          bar={p.bar}
          label={`${spec.name}, freshness per day`}
          thresholdMs={spec.slo.threshold}
        />
      ) : (
        <ImageBar siteId={spec.id} bar={p.bar} />
      )}
    </li>
  );
};

const LEGEND: Array<[string, string]> = [
  ['g4', 'all within the SLO'],
  ['g3', 'at least 95%'],
  ['g2', 'at least 75%'],
  ['g1', 'at least 50%'],
  ['g0', 'less than 50%'],
  ['nd', 'no data'],
];

/** The bar's colours in words, so colour never carries meaning alone. */
export const Legend = () => (
  <div class="legend">
    <p>
      Latency: the newest canary's deploy-to-visible time, with the interval the true value lies in.
      Each bar cell is one UTC day: the share of canaries visible within the SLO threshold.
    </p>
    <ul class="swatches">
      {LEGEND.map(([cls, words]) => (
        <li>
          <i class={cls} aria-hidden="true" /> {words}
        </li>
      ))}
    </ul>
  </div>
);

export const IndexView = (p: IndexProps) => {
  const inline = p.sites.length <= INLINE_BAR_LIMIT;
  const names = new Map(p.sites.map((s) => [s.spec.id, s.spec.name]));
  const groups = groupSites(p.sites);
  return (
    <>
      <h1>Status</h1>
      <Banner sites={p.sites} />
      <OpenIncidents open={p.open} names={names} now={p.now} />
      {groups.map((g, i) => (
        <section class="group" aria-labelledby={`group-${i}`}>
          <h2 id={`group-${i}`}>{g.name ?? (groups.length > 1 ? 'Other sites' : 'Sites')}</h2>
          <ul class="sites">
            {g.sites.map((s) => (
              <SiteRow
                site={s}
                bar={p.bars.get(s.spec.id) ?? makeBar(undefined, p.now)}
                now={p.now}
                inline={inline}
              />
            ))}
          </ul>
        </section>
      ))}
      <Legend />
    </>
  );
};
