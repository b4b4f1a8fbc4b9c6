/**
 * Prometheus metrics (prom-client). Counters and histograms are derived from
 * the structured log events the core already emits (`probe.done`,
 * `canary.visible`, `deploy.failed`, `notify.sent`...): the logger passed to
 * the core is teed into `observe`, so src/core stays free of prom-client and
 * every metric has a greppable log line behind it. Gauges that describe the
 * present (site state) are read from the store at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../core/deps.js';
import type { MonitorGap } from '../core/store.js';
import type { MetricsSource } from '../http/metrics.js';

const LATENCY_BUCKETS_S = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const PROBE_BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];
const VERDICT_EVENTS: Record<string, string> = {
  'canary.visible': 'visible',
  'canary.timed_out': 'timed_out',
  'deploy.failed': 'deploy_failed',
};

export type Fields = Record<string, unknown>;

/** `node:127.0.0.4` → `node`: one series per kind, not per fleet member. */
export function vantageKind(vantage: unknown): string {
  return typeof vantage === 'string' ? (vantage.split(':')[0] ?? vantage) : 'unknown';
}

function label(value: unknown): string {
  return typeof value === 'string' && value ? value : 'unknown';
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** What the monitor measures: canaries, deploys, probes, scheduling. */
function measurementMetrics(registry: Registry) {
  const registers = [registry];
  return {
    latency: new Histogram({
      name: 'freshprobe_canary_latency_seconds',
      help: 'Deploy-to-visible latency of canaries at the primary vantage',
      labelNames: ['site'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    verdicts: new Counter({
      name: 'freshprobe_canaries_total',
      help: 'Canaries that reached a verdict, by verdict',
      labelNames: ['site', 'verdict'],
      registers,
    }),
    deployFailures: new Counter({
      name: 'freshprobe_deploy_failures_total',
      help: 'Deploys the host refused or that failed',
      labelNames: ['site'],
      registers,
    }),
    probeDuration: new Histogram({
      name: 'freshprobe_probe_duration_seconds',
      help: 'Duration of one probe, by vantage kind',
      labelNames: ['vantage_kind'],
      buckets: PROBE_BUCKETS_S,
      registers,
    }),
    probeErrors: new Counter({
      name: 'freshprobe_probe_errors_total',
      help: 'Probes that could not judge content, by vantage kind and error class',
      labelNames: ['vantage_kind', 'class'],
      registers,
    }),
    lag: new Histogram({
      name: 'freshprobe_scheduler_lag_seconds',
      help: 'How late a site step started after it was due',
      buckets: LAG_BUCKETS_S,
      registers,
    }),
  };
}

/** How the monitor itself is doing: notifications, gaps, reloads, retention. */
function operatingMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  return {
    notifications: counter(
      'freshprobe_notifications_total',
      'Notification delivery attempts, by notifier and outcome (sent, retry, failed)',
      ['notifier', 'outcome'],
    ),
    gaps: counter(
      'freshprobe_monitor_gaps_total',
      'Stretches the monitor was not watching (down, pause, clock_jump)',
      ['kind'],
    ),
    reloads: counter(
      'freshprobe_config_reloads_total',
      'Config reloads, by outcome (applied, rejected)',
      ['outcome'],
    ),
    pruned: counter(
      'freshprobe_retention_deleted_rows_total',
      'Rows deleted by retention, by table',
      ['table'],
    ),
  };
}

/** One registry per server (tests run several in one process), with Node's default metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { registry, ...measurementMetrics(registry), ...operatingMetrics(registry) };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Turns one structured log event into metric updates; unknown events are ignored. */
export function observeEvent(m: Metrics, f: Fields): void {
  const site = label(f.site);
  switch (f.event) {
    case 'probe.done': {
      const kind = vantageKind(f.vantage);
      const ms = num(f.durationMs);
      if (ms !== undefined) m.probeDuration.observe({ vantage_kind: kind }, ms / 1000);
      if (f.errorClass) m.probeErrors.inc({ vantage_kind: kind, class: label(f.errorClass) });
      return;
    }
    case 'canary.visible': {
      const ms = num(f.latencyMs);
      if (ms !== undefined) m.latency.observe({ site }, ms / 1000);
      break;
    }
    case 'deploy.failed':
      m.deployFailures.inc({ site });
      break;
    case 'notify.sent':
      m.notifications.inc({ notifier: label(f.notifier), outcome: 'sent' });
      return;
    case 'notify.failed':
      m.notifications.inc({ notifier: label(f.notifier), outcome: f.giveUp ? 'failed' : 'retry' });
      return;
  }
  const verdict = VERDICT_EVENTS[String(f.event)];
  if (verdict) m.verdicts.inc({ site, verdict });
}

/** The logger the core gets: every line still goes to `log`, and feeds the metrics. */
export function meteredLogger(log: Logger, m: Metrics): Logger {
  const tee =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fields: Fields, message?: string): void => {
      observeEvent(m, fields);
      log[level]?.(fields, message);
    };
  return { debug: tee('debug'), info: tee('info'), warn: tee('warn'), error: tee('error') };
}

export function observeGap(m: Metrics, gap: MonitorGap): void {
  m.gaps.inc({ kind: gap.kind });
}

/** Forgets a removed site's series, so a reload does not leave ghosts behind. */
export function forgetSite(m: Metrics, siteId: string): void {
  m.latency.remove({ site: siteId });
  m.deployFailures.remove({ site: siteId });
  for (const verdict of Object.values(VERDICT_EVENTS)) m.verdicts.remove({ site: siteId, verdict });
}

/** What the scrape-time gauges read. */
export interface LiveState {
  /** Current state of every configured site. */
  siteStates(): Promise<Array<{ site: string; state: string }>>;
  ready(): boolean;
  /** Epoch ms of the newest heartbeat, 0 before the first. */
  lastBeatAt(): number;
}

/** Every state a site can be in, so each site has one series per state (1 for its state, 0 else). */
export const SITE_STATES = [
  'fresh',
  'propagating',
  'stale',
  'missing',
  'error',
  'deploy_failing',
  'no_data',
  'paused',
] as const;

/** Gauges computed at scrape time from the store and the process. */
export function registerLiveGauges(m: Metrics, live: LiveState): void {
  new Gauge({
    name: 'freshprobe_site_state',
    help: 'Current state of each site: 1 for the state it is in, 0 for the others',
    labelNames: ['site', 'state'],
    registers: [m.registry],
    async collect() {
      this.reset();
      for (const { site, state } of await live.siteStates())
        for (const s of SITE_STATES) this.set({ site, state: s }, s === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'freshprobe_ready',
    help: '1 when /readyz answers 200',
    registers: [m.registry],
    collect() {
      this.set(live.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'freshprobe_heartbeat_timestamp_seconds',
    help: 'Time of the newest monitor heartbeat',
    registers: [m.registry],
    collect() {
      this.set(live.lastBeatAt() / 1000);
    },
  });
}

/** The app's view of the registry. */
export function metricsSource(m: Metrics): MetricsSource {
  return { contentType: m.registry.contentType, render: () => m.registry.metrics() };
}
