/** What the core needs to know about a configured site (a subset of SiteConfig). */
import type { MarkerSpec } from './marker.js';
import type { Deployer, Prober } from './ports.js';

export interface SiteSpec {
  id: string;
  name: string;
  /** Public base URL. */
  url: string;
  group?: string;
  canary: { path: string; format: 'json' | 'html' };
  probe: { vantages: string[] /** ms between steady probe rounds */; interval: number };
  /** ms after deploy acceptance before an unseen canary times out. */
  timeout: number;
  slo: { /** ms */ threshold: number; target: number /** ms */; window: number };
  runbook?: string;
  paused?: boolean;
  /** Notifier ids to alert. */
  notify?: string[];
  alerts?: AlertsSpec;
  /** Where external deploys show their marker. */
  marker?: MarkerSpec;
}

/** Alert tuning (config `alerts`); durations in ms. */
export interface AlertsSpec {
  failureThreshold: number;
  recoveryThreshold: number;
  repeatEvery: number;
  deployFailures: number;
  minEvents: number;
  burnRates: Array<{ factor: number; long: number; short: number }>;
}

export const DEFAULT_ALERTS: AlertsSpec = {
  failureThreshold: 2,
  recoveryThreshold: 2,
  repeatEvery: 4 * 3_600_000,
  deployFailures: 2,
  minEvents: 5,
  burnRates: [
    { factor: 14.4, long: 3_600_000, short: 300_000 },
    { factor: 6, long: 21_600_000, short: 1_800_000 },
    { factor: 1, long: 259_200_000, short: 21_600_000 },
  ],
};

/** A site with its adapters, built once by the runtime. */
export interface SiteRuntime {
  spec: SiteSpec;
  /** Absent for watch-only sites: their deploys are registered from outside. */
  deployer?: Deployer;
  probers: Prober[];
  /** The same vantages, looking at `spec.marker.path`, for external deploys. */
  markerProbers?: Prober[];
  /** How long one deploy may take (pipelines followed take longer); default the core's. */
  deployTimeoutMs?: number;
}

/** The vantage whose visibility defines a canary's latency: `edge` when probed. */
export function primaryVantage(spec: SiteSpec): string {
  return spec.probe.vantages.includes('edge') ? 'edge' : (spec.probe.vantages[0] ?? 'edge');
}

/** Full canary URL: base URL joined with the canary path. */
export function canaryUrl(spec: SiteSpec): string {
  return new URL(spec.canary.path, spec.url).toString();
}
