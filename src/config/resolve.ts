/**
 * Fills every site from `defaults`, so the rest of freshprobe reads one
 * complete SiteConfig and never looks at `defaults` again.
 */
import type { DeployConfig, NotifierConfig } from './adapters.js';
import { type AgentConfig, resolveAgent } from './agents.js';
import type { AlertsConfig } from './alerts.js';
import { type MarkerConfig, resolveMarker } from './marker.js';
import type { RawConfig, RawDefaults, RawSite } from './schema.js';

/** A vantage kind from config; `nodes` expands to one `node:<ip>` vantage per node. */
export type VantageKind = 'edge' | 'origin' | 'nodes' | 'browser';

/** How a site is probed. Durations in milliseconds. */
export interface ProbeConfig {
  /** At least one, no duplicates. */
  vantages: VantageKind[];
  /** `resolve` (every address DNS returns) or fixed "IP", "IP:port", "[IPv6]:port". */
  nodes: 'resolve' | string[];
  /** Steady probe interval, ms (at least 1000). */
  interval: number;
  /** Whole-request timeout per probe, ms. */
  timeout: number;
  /** Body cap, bytes (default 1048576). */
  maxBodyBytes: number;
  /** Redirects followed before `too_many_redirects` (default 5). */
  maxRedirects: number;
  /** Origin to probe for the `origin` vantage instead of a cache-busted site URL. */
  originUrl?: string;
  /** Extra request headers (defaults.probe.headers merged under the site's). */
  headers?: Record<string, string>;
}

/** Freshness SLO. */
export interface SloConfig {
  /** A canary must be visible at the edge within this, ms. */
  threshold: number;
  /** Fraction of canaries that must meet the threshold, in (0, 1). */
  target: number;
  /** Rolling SLO window, ms. */
  window: number;
}

/** Where the canary lives on the site and how it is encoded. */
export interface CanaryConfig {
  /** URL path, starts with "/" (default /freshprobe/canary.json). */
  path: string;
  /** `html` carries the marker in `<meta name="freshprobe">`. */
  format: 'json' | 'html';
}

/** One monitored site with every default applied. */
export interface SiteConfig {
  id: string;
  /** Display name (default: id). */
  name: string;
  /** Status page group. */
  group?: string;
  /** Public base URL (http or https). */
  url: string;
  canary: CanaryConfig;
  /** How canaries are published; `kind` picks the adapter. */
  deploy: DeployConfig;
  probe: ProbeConfig;
  /** 5-field cron expression (UTC) for scheduled canaries. */
  schedule: string;
  /** A canary not visible within this is `timed_out`, ms. */
  timeout: number;
  slo: SloConfig;
  runbook?: string;
  /** Notifier ids. */
  notify: string[];
  alerts: AlertsConfig;
  /** Where external deploys registered through the API show their marker. */
  marker?: MarkerConfig;
  paused: boolean;
}

/** The loaded config. Every duration is in milliseconds. */
export interface Config {
  server: RawConfig['server'];
  storage: RawConfig['storage'];
  /** Kept for display; sites already carry every value they inherit. */
  defaults: RawDefaults;
  sites: SiteConfig[];
  notifiers: NotifierConfig[];
  /** Remote vantages that may push observations. */
  agents: AgentConfig[];
}

const DEFAULT_CANARY_PATH = '/freshprobe/canary.json';

function resolveCanary(canary: RawSite['canary']): CanaryConfig {
  const path = canary?.path ?? DEFAULT_CANARY_PATH;
  return { path, format: canary?.format ?? (/\.html?$/i.test(path) ? 'html' : 'json') };
}

function resolveProbe(probe: RawSite['probe'], base: RawDefaults['probe']): ProbeConfig {
  const headers = { ...base.headers, ...probe?.headers };
  return {
    vantages: probe?.vantages ?? base.vantages,
    nodes: probe?.nodes ?? base.nodes,
    interval: probe?.interval ?? base.interval,
    timeout: probe?.timeout ?? base.timeout,
    maxBodyBytes: probe?.maxBodyBytes ?? base.maxBodyBytes,
    maxRedirects: probe?.maxRedirects ?? base.maxRedirects,
    ...(probe?.originUrl !== undefined && { originUrl: probe.originUrl }),
    ...(Object.keys(headers).length > 0 && { headers }),
  };
}

function resolveSite(site: RawSite, defaults: RawDefaults): SiteConfig {
  return {
    id: site.id,
    name: site.name ?? site.id,
    ...(site.group !== undefined && { group: site.group }),
    url: site.url,
    canary: resolveCanary(site.canary),
    deploy: site.deploy,
    probe: resolveProbe(site.probe, defaults.probe),
    schedule: site.schedule ?? defaults.schedule,
    timeout: site.timeout ?? defaults.timeout,
    slo: { ...defaults.slo, ...withoutUndefined(site.slo ?? {}) },
    ...(site.runbook !== undefined && { runbook: site.runbook }),
    notify: site.notify ?? [],
    alerts: { ...defaults.alerts, ...withoutUndefined(site.alerts ?? {}) },
    ...(site.marker !== undefined && { marker: resolveMarker(site.marker) }),
    paused: site.paused ?? false,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveConfig(raw: RawConfig): Config {
  const { $schema: _ignored, ...rest } = raw;
  return {
    ...rest,
    sites: raw.sites.map((site) => resolveSite(site, raw.defaults)),
    agents: raw.agents.map(resolveAgent),
  };
}
