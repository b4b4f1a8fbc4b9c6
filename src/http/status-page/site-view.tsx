/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * GET /sites/:id as HTML: state in words with what it means and the runbook,
 * key figures, the latency chart (drawn by the client script from embedded
 * data) with its table, the 90-day bar, vantages, canaries, incidents, the
 * state glossary and badge snippets.
 */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Incident } from '../../core/model.js';
import { displayUrl, formatDuration, formatMs, percent } from '../format.js';
import { type ChartData, latencyByDay, type SiteStats } from '../site-stats.js';
import { latencySentence, STATE_MEANING, STATE_TONE, stateSentence } from '../state-words.js';
import type { SiteSnapshot } from '../status-data.js';
import type { CanaryView } from '../views.js';
import { InlineBar } from './bar.js';
import type { Bar } from './days.js';
import { Legend } from './index-view.js';
import { BadgeSnippets, Glossary, Incidents } from './site-extras.js';
import { CanaryTable, DailyTable, LatencyTable, VantageTable } from './site-tables.js';

export interface SitePageProps {
  site: SiteSnapshot;
  stats: SiteStats;
  chart: ChartData;
  chartDays: number;
  canaries: CanaryView[];
  bar: Bar;
  incidents: Incident[];
  now: number;
  baseUrl: string;
}

const RED = new Set(['stale', 'missing', 'error', 'deploy_failing', 'no_data']);

function p95Text(stats: SiteStats, timeoutMs: number): string {
  if (stats.p95Ms === undefined) return 'no data';
  if (!Number.isFinite(stats.p95Ms)) return `over ${formatMs(timeoutMs)} (timed out)`;
  return formatMs(stats.p95Ms);
}

const Figures = (p: { site: SiteSnapshot; stats: SiteStats }) => {
  const { spec, view } = p.site;
  const sli = p.stats.sli;
  const window = formatDuration(p.stats.windowMs);
  return (
    <dl class="figures">
      <div>
        <dt>Newest deploy</dt>
        <dd>{latencySentence(view, formatMs)}</dd>
      </div>
      <div>
        <dt>p50 / p95 latency ({window})</dt>
        <dd>
          {p.stats.p50Ms !== undefined && Number.isFinite(p.stats.p50Ms)
            ? formatMs(p.stats.p50Ms)
            : 'no data'}{' '}
          / {p95Text(p.stats, spec.timeout)}
        </dd>
      </div>
      <div>
        <dt>Freshness SLI ({window})</dt>
        <dd>
          {sli.ratio === undefined
            ? 'no data'
            : `${percent(sli.ratio, 2)} (${sli.good} of ${sli.total}), target ${percent(spec.slo.target, 2)}`}
        </dd>
      </div>
      <div>
        <dt>SLO threshold</dt>
        <dd>visible within {formatMs(spec.slo.threshold)}</dd>
      </div>
    </dl>
  );
};

/** JSON for the client script; `<` is escaped so the data can never close its script element. */
function chartJson(chart: ChartData): string {
  return JSON.stringify(chart).replace(/</g, '\\u003c');
}

/** A titled section; `id` names its heading for landmarks and links. */
const Section = (p: { id: string; title: string; children: Child }) => (
  <section aria-labelledby={p.id}>
    <h2 id={p.id}>{p.title}</h2>
    {p.children}
  </section>
);

const StatePanel = (p: { site: SiteSnapshot; now: number }) => {
  const { spec, view } = p.site;
  return (
    <section class={`panel t-${STATE_TONE[view.state]}`} aria-labelledby="state">
      <h2 id="state" class="state">
        {stateSentence(view, { now: p.now, servedFromAt: p.site.servedFromAt })}
      </h2>
      {STATE_MEANING[view.state] ? <p>{STATE_MEANING[view.state]}</p> : null}
      {RED.has(view.state) && spec.runbook ? (
        <p>
          What to do: <a href={displayUrl(spec.runbook)}>open the runbook</a>.
        </p>
      ) : null}
    </section>
  );
};

/** The canvas is drawn by the client script; the table says the same without it. */
const LatencyChart = (p: { chart: ChartData }) => (
  <>
    <div class="chart">
      <canvas
        id="latency-chart"
        role="img"
        aria-label={`Chart of ${p.chart.points.length} canaries with error bars and rolling p50 and p95; the same data is in the table below`}
      />
    </div>
    <script type="application/json" id="latency-data">
      {raw(chartJson(p.chart))}
    </script>
    <details open>
      <summary>Latency by day (table)</summary>
      <LatencyTable days={latencyByDay(p.chart.points)} />
    </details>
  </>
);

const History = (p: { bar: Bar; name: string; thresholdMs: number }) => (
  <>
    <InlineBar bar={p.bar} label={`${p.name}, freshness per day`} thresholdMs={p.thresholdMs} />
    <Legend />
    <details>
      <summary>Freshness by day (table)</summary>
      <DailyTable cells={p.bar.cells} />
    </details>
  </>
);

export const SiteView = (p: SitePageProps) => {
  const { spec, view } = p.site;
  return (
    <>
      <h1>{spec.name}</h1>
      <p>
        <a href={displayUrl(spec.url)}>{displayUrl(spec.url)}</a>
        {spec.group ? ` · group ${spec.group}` : ''}
      </p>
      <StatePanel site={p.site} now={p.now} />
      <Figures site={p.site} stats={p.stats} />
      <Section id="latency" title={`Deploy-to-visible latency, last ${p.chartDays} days`}>
        <LatencyChart chart={p.chart} />
      </Section>
      <Section id="history" title={`Freshness, last ${p.bar.cells.length} days`}>
        <History bar={p.bar} name={spec.name} thresholdMs={spec.slo.threshold} />
      </Section>
      <Section id="vantages" title="Vantages">
        <VantageTable vantages={view.vantages} now={p.now} />
      </Section>
      <Section id="canaries" title="Recent canaries">
        <CanaryTable canaries={p.canaries} now={p.now} />
      </Section>
      <Section id="incidents" title="Incidents">
        <Incidents incidents={p.incidents} now={p.now} />
      </Section>
      <Section id="meaning" title="What the states mean">
        <Glossary runbook={spec.runbook} />
      </Section>
      <Section id="badges" title="Badges">
        <BadgeSnippets siteId={spec.id} name={spec.name} baseUrl={p.baseUrl} />
      </Section>
    </>
  );
};
