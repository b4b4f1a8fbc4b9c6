/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The site page's tables: vantages, recent canaries, latency by day (the
 * chart's text alternative) and freshness by day (the bar's). Each sits in a
 * keyboard-focusable scroll region so narrow screens can scroll it.
 */
import type { Child } from 'hono/jsx';
import { clock, formatMs, isoDay, percent } from '../format.js';
import type { DayLatency } from '../site-stats.js';
import { STATE_LABEL } from '../state-words.js';
import type { CanaryView, VantageView } from '../views.js';
import type { DayCell } from './days.js';

const Scroll = (p: { label: string; children: Child }) => (
  <section class="table-wrap" aria-label={p.label} tabindex={0}>
    {p.children}
  </section>
);

const ms = (v: number | undefined) =>
  v === undefined ? '–' : Number.isFinite(v) ? formatMs(v) : 'timed out';

/** What is wrong at a vantage: its error, or how far behind it is. */
function problem(v: VantageView): string {
  const error = [v.errorClass?.replaceAll('_', ' '), v.error].filter(Boolean).join(': ');
  if (error) return error;
  return v.stalenessMs !== undefined ? `${formatMs(v.stalenessMs)} behind` : '–';
}

export const VantageTable = (p: { vantages: VantageView[]; now: number }) => (
  <Scroll label="Vantages">
    <table>
      <caption>State per vantage and node, from the newest observation of each</caption>
      <thead>
        <tr>
          <th scope="col">Vantage</th>
          <th scope="col">State</th>
          <th scope="col">Since</th>
          <th scope="col">Serves</th>
          <th scope="col">Last observed</th>
          <th scope="col">HTTP</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {p.vantages.map((v) => (
          <tr>
            <th scope="row">{v.vantage}</th>
            <td>{STATE_LABEL[v.state]}</td>
            <td>{clock(v.since, p.now)}</td>
            <td>{v.seqSeen !== undefined ? `canary #${v.seqSeen}` : '–'}</td>
            <td>{clock(v.lastObservedAt, p.now)}</td>
            <td>{v.status ?? '–'}</td>
            <td>{problem(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);

const VERDICT: Record<CanaryView['state'], string> = {
  pending: 'Pending',
  deploying: 'Deploying',
  deploy_failed: 'Deploy failed',
  propagating: 'Propagating',
  visible: 'Visible',
  timed_out: 'Never visible (timed out)',
};

function verdict(c: CanaryView): string {
  if (c.state === 'visible')
    return c.withinSlo === false ? 'Visible, late (outside SLO)' : 'Visible within SLO';
  if (c.state === 'deploy_failed' && c.error) return `Deploy failed: ${c.error.slice(0, 200)}`;
  return VERDICT[c.state];
}

function latencyWithBound(l?: { latencyMs?: number; latencyBoundsMs?: [number, number] }): string {
  if (l?.latencyMs === undefined) return '–';
  const b = l.latencyBoundsMs;
  return b
    ? `${formatMs(l.latencyMs)} (${formatMs(b[0])}–${formatMs(b[1])})`
    : formatMs(l.latencyMs);
}

export const CanaryTable = (p: { canaries: CanaryView[]; now: number }) => (
  <Scroll label="Recent canaries">
    <table>
      <caption>
        Newest first. Latency: deploy accepted to first seen, with the interval it lies in
      </caption>
      <thead>
        <tr>
          <th scope="col">Canary</th>
          <th scope="col">Deployed at</th>
          <th scope="col">Visible at, per vantage</th>
          <th scope="col">Latency (bound)</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {p.canaries.map((c) => (
          <tr>
            <th scope="row">#{c.seq}</th>
            <td>{c.deployedAt !== null ? clock(c.deployedAt, p.now) : 'not deployed'}</td>
            <td>
              {Object.entries(c.vantages).map(([name, v]) => (
                <div>
                  {name}:{' '}
                  {v.visibleAt !== undefined
                    ? `${clock(v.visibleAt, p.now)}, ${latencyWithBound(v)}`
                    : 'not yet'}
                </div>
              ))}
            </td>
            <td>{latencyWithBound(c)}</td>
            <td>{verdict(c)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);

export const LatencyTable = (p: { days: DayLatency[] }) => (
  <Scroll label="Latency by day">
    <table>
      <caption>Deploy-to-visible latency by UTC day (the chart as a table)</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          <th scope="col" class="num">
            Visible
          </th>
          <th scope="col" class="num">
            Timed out
          </th>
          <th scope="col" class="num">
            p50
          </th>
          <th scope="col" class="num">
            p95
          </th>
          <th scope="col" class="num">
            Slowest
          </th>
        </tr>
      </thead>
      <tbody>
        {p.days.map((d) => (
          <tr>
            <th scope="row">{isoDay(d.day)}</th>
            <td class="num">{d.measured}</td>
            <td class="num">{d.timedOut}</td>
            <td class="num">{ms(d.p50Ms)}</td>
            <td class="num">{ms(d.p95Ms)}</td>
            <td class="num">{ms(d.maxMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);

export const DailyTable = (p: { cells: DayCell[] }) => (
  <Scroll label="Freshness by day">
    <table>
      <caption>Canaries per UTC day, newest first; days without data are listed as such</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          <th scope="col" class="num">
            Canaries judged
          </th>
          <th scope="col" class="num">
            Within SLO
          </th>
          <th scope="col" class="num">
            Share
          </th>
          <th scope="col" class="num">
            Timed out
          </th>
          <th scope="col" class="num">
            Deploys failed
          </th>
        </tr>
      </thead>
      <tbody>
        {[...p.cells].reverse().map(({ day, row }) => (
          <tr>
            <th scope="row">{isoDay(day)}</th>
            <td class="num">{row?.canaries ?? 0}</td>
            <td class="num">{row?.withinSlo ?? 0}</td>
            <td class="num">{row?.canaries ? percent(row.withinSlo / row.canaries) : 'no data'}</td>
            <td class="num">{row?.timedOut ?? 0}</td>
            <td class="num">{row?.deployFailed ?? 0}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);
