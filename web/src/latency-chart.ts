/**
 * The site page's latency chart: each canary a point with its error bar,
 * rolling p50 and p95 lines, the SLO threshold, and timed-out canaries drawn
 * at the timeout. The server already rendered the same data as a table; this
 * only draws it. Colours come from the page's CSS, so dark mode follows.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type TooltipItem,
} from 'chart.js';
import { type ErrorBarPoint, errorBarsPlugin } from './error-bars.js';

Chart.register(
  ScatterController,
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
);

interface ChartData {
  points: Array<{
    seq: number;
    x: number;
    y: number;
    lo: number;
    hi: number;
    kind: 'ok' | 'late' | 'timeout';
  }>;
  p50: Array<{ x: number; y: number }>;
  p95: Array<{ x: number; y: number }>;
  thresholdMs: number;
  timeoutMs: number;
}

/** At least 0.1 s, so a log axis never meets zero. */
const seconds = (ms: number) => Math.max(0.1, ms / 1000);
const LOG_TICKS = new Set([0.1, 1, 10, 30, 60, 100, 300, 600, 1000, 1800, 3600]);

function colour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function stamp(x: number): string {
  return new Date(x).toISOString().slice(5, 16).replace('T', ' ');
}

function points(
  data: ChartData,
  kind: 'ok' | 'late' | 'timeout',
): Array<ErrorBarPoint & { seq: number }> {
  return data.points
    .filter((p) => p.kind === kind)
    .map((p) => ({ x: p.x, y: seconds(p.y), lo: seconds(p.lo), hi: seconds(p.hi), seq: p.seq }));
}

function line(
  label: string,
  rows: Array<{ x: number; y: number }>,
  color: string,
  dash: number[] = [],
) {
  return {
    type: 'line' as const,
    label,
    data: rows.map((r) => ({ x: r.x, y: seconds(r.y) })),
    borderColor: color,
    backgroundColor: color,
    borderDash: dash,
    pointRadius: 0,
    borderWidth: 2,
    tension: 0,
  };
}

function scatter(label: string, data: ChartData, kind: 'ok' | 'late' | 'timeout', color: string) {
  const style = { ok: 'circle', late: 'rectRot', timeout: 'triangle' } as const;
  return {
    type: 'scatter' as const,
    label,
    data: points(data, kind),
    borderColor: color,
    backgroundColor: color,
    // A timed-out canary has no interval: it is only known to be beyond the timeout.
    errorBars: kind !== 'timeout',
    pointRadius: kind === 'ok' ? 3 : 5,
    pointStyle: style[kind],
  };
}

function datasets(data: ChartData) {
  const bad = colour('--bad', '#cf222e');
  const span = [data.points[0]?.x ?? 0, data.points.at(-1)?.x ?? 0];
  return [
    scatter('Canary (within SLO)', data, 'ok', colour('--ok', '#1a7f37')),
    scatter('Canary (late)', data, 'late', bad),
    scatter('Timed out', data, 'timeout', bad),
    line('p50 (rolling 24 h)', data.p50, colour('--info', '#0969da')),
    line('p95 (rolling 24 h)', data.p95, colour('--warn', '#9a6700')),
    line(
      'SLO threshold',
      span.map((x) => ({ x, y: data.thresholdMs })),
      bad,
      [6, 4],
    ),
  ];
}

function tooltipLabel(item: TooltipItem<'scatter'>): string {
  const p = item.raw as Partial<ErrorBarPoint> & { seq?: number };
  const bound =
    p.lo !== undefined && p.hi !== undefined ? ` (${p.lo.toFixed(1)} to ${p.hi.toFixed(1)} s)` : '';
  const seq = p.seq !== undefined ? `#${p.seq} ` : '';
  return `${item.dataset.label}: ${seq}${Number(p.y).toFixed(1)} s${bound} at ${stamp(Number(p.x))} UTC`;
}

export function drawLatencyChart(canvas: HTMLCanvasElement, data: ChartData): Chart {
  Chart.defaults.color = colour('--fg', '#1f2328');
  Chart.defaults.borderColor = colour('--grid', '#d0d7de');
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets: datasets(data) as never },
    plugins: [errorBarsPlugin],
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => stamp(Number(v)), maxTicksLimit: 8 } },
        // Logarithmic: typical latencies (tens of seconds) and timeouts (30 min) both stay readable.
        y: {
          type: 'logarithmic',
          title: { display: true, text: 'seconds, log scale (times UTC)' },
          ticks: { callback: (v) => (LOG_TICKS.has(Number(v)) ? `${v}` : '') },
        },
      },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: { callbacks: { label: tooltipLabel } },
      },
    },
  });
}
