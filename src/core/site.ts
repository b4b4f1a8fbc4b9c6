/** What the core needs to know about a configured site (a subset of SiteConfig). */
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
}

/** A site with its adapters, built once by the runtime. */
export interface SiteRuntime {
  spec: SiteSpec;
  /** Absent for watch-only sites: their deploys are registered from outside. */
  deployer?: Deployer;
  probers: Prober[];
}

/** The vantage whose visibility defines a canary's latency: `edge` when probed. */
export function primaryVantage(spec: SiteSpec): string {
  return spec.probe.vantages.includes('edge') ? 'edge' : (spec.probe.vantages[0] ?? 'edge');
}

/** Full canary URL: base URL joined with the canary path. */
export function canaryUrl(spec: SiteSpec): string {
  return new URL(spec.canary.path, spec.url).toString();
}
